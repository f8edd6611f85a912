using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PipelineRunner.Diagnostics;

/// <summary>The package's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <c>PipelineRunner</c>.</summary>
public static class PipelineRunnerDiagnostics
{
    /// <summary>The name of the activity source and meter.</summary>
    public const string Name = "PipelineRunner";

    /// <summary>Spans for runs (<c>pipeline.run</c>) and nodes (<c>node.run</c>).</summary>
    public static ActivitySource ActivitySource { get; } = new(Name);

    /// <summary>Counters and histograms for nodes.</summary>
    public static Meter Meter { get; } = new(Name);

    internal static Counter<long> NodesCompleted { get; } =
        Meter.CreateCounter<long>("pipelinerunner.nodes.completed", description: "Nodes that ran successfully.");

    internal static Counter<long> NodesFailed { get; } =
        Meter.CreateCounter<long>("pipelinerunner.nodes.failed", description: "Nodes that failed.");

    internal static Histogram<double> NodeDuration { get; } =
        Meter.CreateHistogram<double>("pipelinerunner.node.duration", unit: "s", description: "Time to load, run and save a node.");
}
