using PipelineRunner.Catalog;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.DependencyInjection;

/// <summary>
/// Runs registered pipelines with the registered catalog, runner and hooks, like Kedro's session: pick a pipeline by
/// name, filter it, run it.
/// </summary>
public sealed class PipelineSession
{
    private readonly PipelineRegistry _registry;
    private readonly Func<DataCatalog> _catalog;
    private readonly AbstractRunner _runner;
    private readonly IReadOnlyList<IRunHook> _hooks;

    /// <summary>Creates a session.</summary>
    /// <param name="registry">The pipelines.</param>
    /// <param name="catalog">Creates the catalog for each run.</param>
    /// <param name="runner">The runner.</param>
    /// <param name="hooks">The hooks.</param>
    public PipelineSession(PipelineRegistry registry, Func<DataCatalog> catalog, AbstractRunner runner, IEnumerable<IRunHook> hooks)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _hooks = hooks?.ToList() ?? [];
    }

    /// <summary>The session id given to hooks.</summary>
    public string SessionId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Runs a registered pipeline.</summary>
    /// <param name="pipelineName">The pipeline; <c>__default__</c> when null.</param>
    /// <param name="filter">Filters applied before running; none when null.</param>
    /// <param name="progress">Receives node progress; none when null.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The run's free outputs.</returns>
    public Task<IReadOnlyDictionary<string, object?>> RunAsync(
        string? pipelineName = null,
        PipelineFilter? filter = null,
        IProgress<NodeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var pipeline = _registry.Get(pipelineName);
        if (filter is not null)
        {
            pipeline = pipeline.Filter(filter);
        }

        return _runner.RunAsync(
            pipeline,
            _catalog(),
            new RunOptions { Hooks = _hooks, SessionId = SessionId, Progress = progress },
            cancellationToken);
    }
}
