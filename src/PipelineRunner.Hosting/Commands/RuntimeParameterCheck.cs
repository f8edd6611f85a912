using System.Globalization;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Hosting.Commands;

/// <summary>
/// Checks <c>--params</c> before any node runs, so that a misspelled key or a value of the wrong type stops the run
/// instead of being ignored, rounded or failing half-way.
/// </summary>
/// <remarks>
/// <para>
/// A runtime key is unknown when it is neither a configured parameter (a key, at any depth, of the parameters the
/// project has without runtime parameters) nor read by a node of the pipeline being run: a <c>params:</c> input
/// naming the key, a parent of it (the node reads the whole mapping) or a child of it; a <c>parameters</c> input reads
/// every key; or read by the configuration through <c>${runtime_params:key}</c>. Kedro accepts any key; a typo there
/// silently changes nothing.
/// </para>
/// <para>
/// Every node input a runtime key reaches must convert to the type the node declares for it, checked with the value
/// the node would load (runtime parameters merged over the configured ones).
/// </para>
/// </remarks>
internal static class RuntimeParameterCheck
{
    /// <summary>Checks the runtime parameters of a run.</summary>
    /// <param name="options">The host options, to build the project's catalog without runtime parameters.</param>
    /// <param name="runtimeParameters">The parsed <c>--params</c> tree.</param>
    /// <param name="pipeline">The pipeline being run (after filters).</param>
    /// <param name="catalog">The run's catalog, runtime parameters included.</param>
    /// <param name="services">The app's services, to build the project's catalog.</param>
    /// <param name="cancellationToken">Cancels loading parameter values.</param>
    /// <returns>A task that completes when the parameters pass.</returns>
    /// <exception cref="ArgumentException">
    /// A key is unknown (the message names it and suggests close parameter names), or a value does not convert to a
    /// node's input type (the message names the key, the value, the node, the parameter and the type).
    /// </exception>
    public static async Task ValidateAsync(
        PipelineRunnerHostOptions options,
        IReadOnlyDictionary<string, object?> runtimeParameters,
        Pipeline pipeline,
        DataCatalog catalog,
        IServiceProvider services,
        CancellationToken cancellationToken)
    {
        if (runtimeParameters.Count == 0)
        {
            return;
        }

        var given = new List<(string Key, object? Value)>();
        Flatten(runtimeParameters, prefix: null, given);
        var reads = ParameterReads(pipeline);
        var (configured, readByConfiguration) = ProjectCatalog.ParameterKeys(options, runtimeParameters, services);

        var unknown = given.Select(g => g.Key)
            .Where(key => !configured.Contains(key) && !reads.Any(read => Reaches(key, read.Parameter)) && !readByConfiguration.Any(read => Reaches(key, read)))
            .ToList();
        if (unknown.Count > 0)
        {
            var known = configured.Concat(reads.Where(r => r.Parameter is not null).Select(r => r.Parameter!)).Concat(readByConfiguration).ToHashSet(StringComparer.Ordinal);
            throw new ArgumentException(
                $"Unknown runtime parameter(s) [{string.Join(", ", unknown)}] (--params): no parameters file configures them, no node of the pipeline reads them and no ${{runtime_params:...}} in the configuration reads them."
                + CloseNames.DidYouMean(CloseNames.Find(unknown, known)));
        }

        var problems = new List<string>();
        foreach (var (node, index, parameter) in reads)
        {
            var reaching = given.Where(g => Reaches(g.Key, parameter)).ToList();
            var input = node.Inputs[index];
            if (reaching.Count == 0 || !catalog.TryGetDataset(input, out _))
            {
                continue; // untouched by --params, or missing: the runner reports missing inputs itself
            }

            var target = node.InputTypes[index];
            var value = await catalog.LoadAsync(input, typeof(object), cancellationToken).ConfigureAwait(false);
            if (!ValueConverter.TryConvert(value, target, out _, out var problem))
            {
                problems.Add(
                    $"--params {string.Join(",", reaching.Select(g => $"{g.Key}={Format(g.Value)}"))} does not suit node '{node.Name}', "
                    + $"which reads {input} as {ValueConverter.Describe(target)}: {problem}.");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }

    /// <summary>Whether setting <paramref name="key"/> changes what a read of <paramref name="parameter"/> (null: all parameters) loads.</summary>
    private static bool Reaches(string key, string? parameter) =>
        parameter is null
        || key == parameter
        || (key.Length > parameter.Length && key.StartsWith(parameter, StringComparison.Ordinal) && key[parameter.Length] == '.')
        || (parameter.Length > key.Length && parameter.StartsWith(key, StringComparison.Ordinal) && parameter[key.Length] == '.');

    /// <summary>Every node input that reads parameters: the parameter's key, or null for <c>parameters</c> (all of them).</summary>
    private static List<(Node Node, int Index, string? Parameter)> ParameterReads(Pipeline pipeline)
    {
        var reads = new List<(Node, int, string?)>();
        foreach (var node in pipeline.Nodes)
        {
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                var input = node.Inputs[i];
                if (input == DatasetNames.AllParameters)
                {
                    reads.Add((node, i, null));
                }
                else if (DatasetNames.IsSingleParameter(input))
                {
                    reads.Add((node, i, input[DatasetNames.ParameterPrefix.Length..]));
                }
            }
        }

        return reads;
    }

    private static void Flatten(IReadOnlyDictionary<string, object?> tree, string? prefix, List<(string Key, object? Value)> leaves)
    {
        foreach (var (key, value) in tree)
        {
            var path = prefix is null ? key : prefix + "." + key;
            if (value is IReadOnlyDictionary<string, object?> { Count: > 0 } child)
            {
                Flatten(child, path, leaves);
            }
            else
            {
                leaves.Add((path, value));
            }
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
