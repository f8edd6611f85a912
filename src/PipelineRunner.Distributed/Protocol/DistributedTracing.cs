using System.Diagnostics;
using PipelineRunner.Diagnostics;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// The distributed package's spans, on the core's activity source (<see cref="PipelineRunnerDiagnostics.ActivitySourceName"/>):
/// the scheduler's <c>pipeline.schedule</c> and a worker's <c>node.execute</c>, each the child of the span whose W3C
/// trace context (<c>traceparent</c>) came with the request, so a distributed run is one trace across its processes.
/// </summary>
internal static class DistributedTracing
{
    private static readonly ActivitySource Source = new(PipelineRunnerDiagnostics.ActivitySourceName);

    /// <summary>The current span's W3C trace context, or empty when nobody traces.</summary>
    public static string CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id ?? string.Empty : string.Empty;

    /// <summary>Starts a span that continues the trace of <paramref name="traceParent"/> (a new trace when it is empty or malformed).</summary>
    public static Activity? Start(string name, ActivityKind kind, string traceParent) =>
        !Source.HasListeners() ? null
        : ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent) ? Source.StartActivity(name, kind, parent)
        : Source.StartActivity(name, kind);
}
