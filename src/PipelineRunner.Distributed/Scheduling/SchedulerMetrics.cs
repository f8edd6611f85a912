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
        _meter.CreateObservableGauge("pipelinerunner.scheduler.workers", () => state.WorkerCount, description: "Workers connected to the scheduler.");
        _meter.CreateObservableGauge("pipelinerunner.scheduler.runs", () => state.RunCount, description: "Runs not finished yet.");
        _meter.CreateObservableGauge("pipelinerunner.scheduler.ready_nodes", () => state.ReadyCount, description: "Nodes ready to run that wait for a free worker slot.");
        _meter.CreateObservableGauge("pipelinerunner.store.memory", () => store.MemoryBytes, unit: "By", description: "Bytes of dataset values the store holds in memory.");
        _meter.CreateObservableGauge("pipelinerunner.store.spilled", () => store.SpilledBytes, unit: "By", description: "Bytes of dataset values the store spilled to disk.");
        _meter.CreateObservableGauge("pipelinerunner.store.memory_limit", () => store.MaxMemoryBytes, unit: "By", description: "The store's memory limit before it spills.");
    }

    /// <summary>This scheduler's meter (a process may host several schedulers, as the tests do).</summary>
    internal Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();
}

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
