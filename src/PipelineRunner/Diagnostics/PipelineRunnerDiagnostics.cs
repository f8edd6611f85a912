using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PipelineRunner.Diagnostics;

/// <summary>
/// The names of the package's <see cref="ActivitySource"/> and <see cref="Meter"/>, both <c>PipelineRunner</c>, for
/// subscribing to them (OpenTelemetry's <c>AddSource</c>/<c>AddMeter</c>, an <see cref="ActivityListener"/> or a
/// <see cref="MeterListener"/>). The objects themselves are internal, so only the library creates spans and
/// measurements.
/// </summary>
public static class PipelineRunnerDiagnostics
{
    /// <summary>
    /// The name of the activity source: spans for runs (<c>pipeline.run</c>, tag <c>pipelinerunner.nodes</c>) and nodes
    /// (<c>node.run</c>, tag <c>pipelinerunner.node</c>).
    /// </summary>
    public const string ActivitySourceName = "PipelineRunner";

    /// <summary>
    /// The name of the meter: counters <c>pipelinerunner.nodes.completed</c> and <c>pipelinerunner.nodes.failed</c>,
    /// histogram <c>pipelinerunner.node.duration</c> (seconds).
    /// </summary>
    public const string MeterName = "PipelineRunner";

    /// <summary>Spans for runs (<c>pipeline.run</c>) and nodes (<c>node.run</c>).</summary>
    internal static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    /// <summary>Counters and histograms for nodes.</summary>
    internal static Meter Meter { get; } = new(MeterName);

    internal static Counter<long> NodesCompleted { get; } =
        Meter.CreateCounter<long>("pipelinerunner.nodes.completed", description: "Nodes that ran successfully.");

    internal static Counter<long> NodesFailed { get; } =
        Meter.CreateCounter<long>("pipelinerunner.nodes.failed", description: "Nodes that failed.");

    internal static Histogram<double> NodeDuration { get; } =
        Meter.CreateHistogram<double>("pipelinerunner.node.duration", unit: "s", description: "Time to load, run and save a node.");
}
