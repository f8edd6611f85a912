using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Runners.Internal;

/// <summary>
/// Kedro's resume suggestion: the nodes to restart from so that a resumed run re-creates every non-persisted input
/// of the nodes that did not run, found by walking back from them to the nearest persisted datasets.
/// </summary>
internal static class ResumeSuggestion
{
    public static IReadOnlyList<string> Find(Pipeline pipeline, IReadOnlyCollection<Node> doneNodes, DataCatalog catalog)
    {
        if (doneNodes.Count == 0)
        {
            return [];
        }

        var done = doneNodes.ToHashSet();
        var unfinished = pipeline.Nodes.Where(n => !done.Contains(n)).ToList();
        if (unfinished.Count == 0)
        {
            return [];
        }

        var toRun = new HashSet<Node>(unfinished);
        var unfinishedPipeline = pipeline.Subset(unfinished);
        var initial = unfinishedPipeline.Inputs().Count == 0
            ? []
            : unfinishedPipeline.OnlyNodesWithInputs(unfinishedPipeline.Inputs()).Nodes;
        var visited = new HashSet<Node>(initial);
        var queue = new Queue<Node>(initial);
        while (queue.TryDequeue(out var current))
        {
            toRun.Add(current);
            var nonPersistent = current.Inputs.Where(i => !DatasetNames.IsSingleParameter(i) && IsNotPersisted(i, catalog)).ToList();
            if (nonPersistent.Count == 0)
            {
                continue;
            }

            foreach (var producer in pipeline.OnlyNodesWithOutputs(nonPersistent).Nodes)
            {
                if (visited.Add(producer))
                {
                    queue.Enqueue(producer);
                }
            }
        }

        var resumed = pipeline.FromNodes(toRun.Select(n => n.Name));
        var first = resumed.Grouped.Count == 0 ? [] : resumed.Grouped[0];
        return first.Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
    }

    private static bool IsNotPersisted(string dataset, DataCatalog catalog) =>
        !catalog.TryGetDataset(dataset, out var registered) || registered.IsEphemeral;
}
