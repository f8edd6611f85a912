using System.Collections.Concurrent;
using System.Globalization;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Files;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Hosting.Progress;

/// <summary>
/// What a run did, gathered from its progress events (and passed on to the live line, if any): the few lines printed
/// at its end — the completion line with the nodes run and skipped and the wall time, then the slowest nodes and the
/// files the run wrote.
/// </summary>
internal sealed class RunSummary(IProgress<NodeProgress>? inner) : IProgress<NodeProgress>
{
    private const int Slowest = 3;
    private readonly ConcurrentQueue<(string Node, TimeSpan Duration)> _completed = new();

    public void Report(NodeProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Kind == NodeProgressKind.Completed)
        {
            _completed.Enqueue((value.NodeName, value.Duration));
        }

        inner?.Report(value);
    }

    /// <summary>The summary of a successful run of <paramref name="pipeline"/>, one line after another.</summary>
    public IReadOnlyList<string> Describe(string pipelineName, Pipeline pipeline, DataCatalog catalog, string projectDirectory, TimeSpan wallTime, IReadOnlyDictionary<string, object?> freeOutputs)
    {
        var completed = _completed.ToArray();
        var ran = completed.Select(c => c.Node).ToHashSet(StringComparer.Ordinal);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Pipeline '{pipelineName}' completed: {completed.Length} node(s) ran, {pipeline.Nodes.Count - completed.Length} skipped, in {wallTime.TotalSeconds:0.00} s."),
        };
        if (completed.Length > 1)
        {
            var slowest = completed.OrderByDescending(c => c.Duration).Take(Slowest)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Node} ({c.Duration.TotalSeconds:0.00} s)"));
            lines.Add($"  Slowest: {string.Join(", ", slowest)}.");
        }

        var written = pipeline.Nodes.Where(n => ran.Contains(n.Name))
            .SelectMany(n => n.Outputs)
            .Select(output => catalog.TryGetDataset(output, out var dataset) && dataset is FileDataset file ? file.FilePath : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Select(path => Path.GetRelativePath(projectDirectory, path) is var relative && !relative.StartsWith("..", StringComparison.Ordinal) ? relative : path)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (written.Count > 0)
        {
            lines.Add($"  Written under '{projectDirectory}': {string.Join(", ", written)}.");
        }

        if (freeOutputs.Count > 0)
        {
            lines.Add($"  free outputs: {string.Join(", ", freeOutputs.Keys.Order(StringComparer.Ordinal))}.");
        }

        return lines;
    }
}
