using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Runners.Internal;

/// <summary>
/// Kedro's only-missing-outputs selection: walking the nodes in reverse topological order, a node runs if it has no
/// outputs, if one of its persisted outputs is missing, if a node that runs needs an output of it that is ephemeral or
/// missing, or (as the seed's runner does) if it produces a free output the catalog cannot provide, since the run
/// must return it.
/// </summary>
internal static class MissingOutputsFilter
{
    public static async Task<Pipeline> FilterAsync(Pipeline pipeline, DataCatalog catalog, ILogger logger, CancellationToken cancellationToken)
    {
        var nodes = pipeline.Nodes;
        var toRun = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var readers = new Dictionary<string, List<Node>>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var input in node.Inputs)
            {
                if (!readers.TryGetValue(input, out var list))
                {
                    readers[input] = list = [];
                }

                list.Add(node);
            }
        }

        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            var node = nodes[i];
            // As Kedro, at Debug: why each node runs, or that it is skipped.
            var reason = node.Outputs.Count == 0 ? "it has no outputs"
                : node.Outputs.FirstOrDefault(o => !readers.ContainsKey(o) && !catalog.Contains(o)) is { } free ? $"its output '{free}' is a free output, returned by the run"
                : await HasMissingPersistedOutputAsync(node, catalog, cancellationToken).ConfigureAwait(false) ? "a persisted output of it is missing"
                : await IsNeededByRunningNodeAsync(node, catalog, toRun, readers, cancellationToken).ConfigureAwait(false) ? "a node that runs needs an output of it that is not persisted"
                : null;
            if (reason is not null)
            {
                toRun.Add(node);
                RunnerLog.MustRun(logger, node.Name, reason);
            }
            else
            {
                RunnerLog.CanSkip(logger, node.Name);
            }
        }

        if (toRun.Count == 0)
        {
            RunnerLog.SkippingAll(logger, nodes.Count);
            return Pipeline.Empty;
        }

        if (toRun.Count < nodes.Count)
        {
            var skipped = nodes.Where(n => !toRun.Contains(n)).Select(n => n.Name).Order(StringComparer.Ordinal);
            RunnerLog.SkippingSome(logger, nodes.Count - toRun.Count, string.Join(", ", skipped));
        }

        RunnerLog.RunningSome(logger, toRun.Count, nodes.Count);
        return pipeline.Subset(toRun);
    }

    private static async ValueTask<bool> HasMissingPersistedOutputAsync(Node node, DataCatalog catalog, CancellationToken cancellationToken)
    {
        foreach (var output in node.Outputs)
        {
            if (catalog.TryGetDataset(output, out var dataset) && !dataset.IsEphemeral
                && !await catalog.ExistsAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    private static async ValueTask<bool> IsNeededByRunningNodeAsync(
        Node node, DataCatalog catalog, HashSet<Node> toRun, Dictionary<string, List<Node>> readers, CancellationToken cancellationToken)
    {
        foreach (var output in node.Outputs)
        {
            if (!readers.TryGetValue(output, out var consumers) || !consumers.Any(toRun.Contains))
            {
                continue;
            }

            if (!catalog.TryGetDataset(output, out var dataset) || dataset.IsEphemeral
                || !await catalog.ExistsAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }
}
