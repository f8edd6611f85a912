using PipelineRunner.Diagnostics;

namespace OpenTelemetry.Trace;

/// <summary>PipelineRunner's spans for an OpenTelemetry tracer, as the <c>OpenTelemetry.Instrumentation.*</c> packages add theirs.</summary>
public static class TracerProviderBuilderExtensions
{
    /// <summary>
    /// Records PipelineRunner's spans: <c>pipeline.run</c> on the driver, <c>pipeline.schedule</c> on a distributed
    /// scheduler, <c>node.execute</c> on a worker, each node attempt's <c>node.run</c> and its <c>dataset.load</c> and
    /// <c>dataset.save</c> (tags in <see cref="PipelineRunnerDiagnostics"/>). The distributed runner carries W3C trace
    /// context from the driver through the scheduler to the workers, so a run is one trace when every process records.
    /// </summary>
    /// <param name="builder">The tracer provider's builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddPipelineRunnerInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(PipelineRunnerDiagnostics.ActivitySourceName);
    }
}
