using PipelineRunner.Diagnostics;

namespace OpenTelemetry.Metrics;

/// <summary>PipelineRunner's metrics for an OpenTelemetry meter provider.</summary>
public static class MeterProviderBuilderExtensions
{
    /// <summary>
    /// Records PipelineRunner's metrics (meter <see cref="PipelineRunnerDiagnostics.MeterName"/>):
    /// <c>pipelinerunner.nodes.completed</c>, <c>.failed</c>, <c>.retried</c> and <c>pipelinerunner.node.duration</c>;
    /// on a scheduler the gauges <c>pipelinerunner.scheduler.workers</c>, <c>.runs</c>, <c>.ready_nodes</c> and
    /// <c>pipelinerunner.store.memory</c>, <c>.spilled</c>, <c>.memory_limit</c>. None is tagged with unbounded values
    /// such as node names.
    /// </summary>
    /// <param name="builder">The meter provider's builder.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddPipelineRunnerInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(PipelineRunnerDiagnostics.MeterName);
    }
}
