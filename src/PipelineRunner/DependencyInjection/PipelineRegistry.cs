using PipelineRunner.Pipelines;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.DependencyInjection;

/// <summary>
/// Named pipelines, like Kedro's pipeline registry. <see cref="DefaultName"/> (<c>__default__</c>) is the pipeline
/// registered under that name, or else the union of all registered pipelines.
/// </summary>
public sealed class PipelineRegistry
{
    /// <summary>The name of the default pipeline: <c>__default__</c>.</summary>
    public const string DefaultName = "__default__";

    private readonly Dictionary<string, Lazy<Pipeline>> _pipelines;

    /// <summary>Creates a registry.</summary>
    /// <param name="pipelines">Name → factory; factories run on first use.</param>
    public PipelineRegistry(IEnumerable<KeyValuePair<string, Func<Pipeline>>> pipelines)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        _pipelines = new(StringComparer.Ordinal);
        foreach (var (name, factory) in pipelines)
        {
            if (!_pipelines.TryAdd(name, new Lazy<Pipeline>(factory)))
            {
                throw new ArgumentException($"A pipeline named '{name}' is already registered.", nameof(pipelines));
            }
        }

        if (!_pipelines.ContainsKey(DefaultName))
        {
            _pipelines[DefaultName] = new Lazy<Pipeline>(() => Pipeline.Union(_pipelines.Where(p => p.Key != DefaultName).Select(p => p.Value.Value)));
        }
    }

    /// <summary>The registered names, sorted, including <c>__default__</c>.</summary>
    public IReadOnlyList<string> Names => _pipelines.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Gets a pipeline by name.</summary>
    /// <param name="name">The pipeline name; <c>__default__</c> when null.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline has that name; the message lists the registered names and suggests close ones.</exception>
    public Pipeline Get(string? name = null)
    {
        name ??= DefaultName;
        return _pipelines.TryGetValue(name, out var pipeline)
            ? pipeline.Value
            : throw new KeyNotFoundException(
                $"Failed to find the pipeline named '{name}'. It needs to be registered; registered pipelines: [{string.Join(", ", Names)}]."
                + CloseNames.DidYouMean(CloseNames.Find(name, _pipelines.Keys)));
    }
}
