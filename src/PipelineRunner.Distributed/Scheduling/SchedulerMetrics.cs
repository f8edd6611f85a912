using System.Diagnostics.Metrics;
using PipelineRunner.Diagnostics;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The scheduler's gauges on the <see cref="PipelineRunnerDiagnostics.MeterName"/> meter, read when a listener
/// collects (no cost otherwise): workers connected, runs, ready-queue length (what an autoscaler scales workers on),
/// and the store's bytes in memory, spilled, and its memory limit. No tag carries an unbounded value.
/// </summary>
internal sealed class SchedulerMetrics : IDisposable
{
    private readonly Meter _meter = new(PipelineRunnerDiagnostics.MeterName);

    public SchedulerMetrics(SchedulerState state, DatasetStore store)
    {
        Gauges =
        [
            new("pipelinerunner.scheduler.workers", null, "Workers connected to the scheduler.", () => state.WorkerCount),
            new("pipelinerunner.scheduler.runs", null, "Runs not finished yet.", () => state.RunCount),
            new("pipelinerunner.scheduler.ready_nodes", null, "Nodes ready to run that wait for a free worker slot.", () => state.ReadyCount),
            new("pipelinerunner.store.memory", "By", "Bytes of dataset values the store holds in memory.", () => store.MemoryBytes),
            new("pipelinerunner.store.spilled", "By", "Bytes of dataset values the store spilled to disk.", () => store.SpilledBytes),
            new("pipelinerunner.store.memory_limit", "By", "The store's memory limit before it spills.", () => store.MaxMemoryBytes),
        ];
        foreach (var gauge in Gauges)
        {
            _meter.CreateObservableGauge(gauge.Name, gauge.Read, gauge.Unit, gauge.Description);
        }
    }

    /// <summary>The gauges, for the meter and for the dashboard port's Prometheus <c>/metrics</c>.</summary>
    public IReadOnlyList<SchedulerGauge> Gauges { get; }

    /// <summary>The gauges in Prometheus' text format (0.0.4): <c>pipelinerunner_store_memory_bytes 1024</c>.</summary>
    public string ToPrometheusText()
    {
        var text = new System.Text.StringBuilder();
        foreach (var gauge in Gauges)
        {
            var name = gauge.Name.Replace('.', '_') + (gauge.Unit == "By" ? "_bytes" : string.Empty);
            text.Append("# HELP ").Append(name).Append(' ').Append(gauge.Description).Append('\n')
                .Append("# TYPE ").Append(name).Append(" gauge\n")
                .Append(name).Append(' ').Append(gauge.Read().ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>This scheduler's meter (a process may host several schedulers, as the tests do).</summary>
    internal Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();
}

/// <summary>One of the scheduler's gauges: its OpenTelemetry name, unit (<c>By</c> for bytes), description and reading.</summary>
internal sealed record SchedulerGauge(string Name, string? Unit, string Description, Func<long> Read);

/// <summary>Creates the scheduler's gauges when the app starts (a singleton is otherwise created on first use only).</summary>
internal sealed class SchedulerMetricsHostedService(SchedulerMetrics metrics) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(metrics);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
