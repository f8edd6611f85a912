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
    /// The name of the activity source: spans for runs (<c>pipeline.run</c>, tags <c>pipelinerunner.nodes</c> and
    /// <see cref="RunnerTag"/>), node attempts (<c>node.run</c>: <see cref="NodeTag"/>, <see cref="AttemptTag"/>,
    /// <see cref="OutcomeTag"/>) and their loads and saves (<c>dataset.load</c>, <c>dataset.save</c>:
    /// <see cref="DatasetTag"/>). The distributed package adds <c>pipeline.schedule</c> on the scheduler and
    /// <c>node.execute</c> on a worker (<see cref="WorkerTag"/>), joined to the driver's run by W3C trace context, so a
    /// distributed run is one trace across all its processes.
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

    internal static Counter<long> NodesRetried { get; } =
        Meter.CreateCounter<long>("pipelinerunner.nodes.retried", description: "Failed node attempts that were retried.");

    /// <summary>The tag naming a node, on node spans.</summary>
    public const string NodeTag = "pipelinerunner.node";

    /// <summary>The tag with a node attempt's number (from 1), on node spans.</summary>
    public const string AttemptTag = "pipelinerunner.attempt";

    /// <summary>The tag with a node attempt's outcome, <c>completed</c> or <c>failed</c>, on node spans.</summary>
    public const string OutcomeTag = "pipelinerunner.outcome";

    /// <summary>The tag naming a dataset, on load and save spans.</summary>
    public const string DatasetTag = "pipelinerunner.dataset";

    /// <summary>The tag naming the worker that runs a node, on a distributed worker's node spans.</summary>
    public const string WorkerTag = "pipelinerunner.worker";

    /// <summary>The tag with a run's runner, on the run's span.</summary>
    public const string RunnerTag = "pipelinerunner.runner";

    internal static Histogram<double> NodeDuration { get; } =
        Meter.CreateHistogram<double>("pipelinerunner.node.duration", unit: "s", description: "Time to load, run and save a node.");
}
