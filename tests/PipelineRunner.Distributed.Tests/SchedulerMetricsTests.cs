using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The scheduler's gauges: workers, runs, ready nodes, store bytes — what operators and autoscalers read.</summary>
public sealed class SchedulerMetricsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheGauges_ReadTheSchedulersState_WhenCollected()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { MaxStoreMemoryBytes = 1 << 20 });
        var meter = scheduler.Services.GetRequiredService<SchedulerMetrics>().Meter;
        using var stop = new CancellationTokenSource();
        var serving = new PipelineWorker(new WorkerOptions { SchedulerAddress = scheduler.Address, WorkerId = "w1" }, new PipelineNodeResolver(SharedPipelines.All())).RunAsync(stop.Token);
        using var channel = new SchedulerChannel(scheduler.Address, ChannelTimeouts.Create("test", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        await channel.Store.PublishAsync("small", new System.Buffers.ReadOnlySequence<byte>(new byte[1000]), CancellationToken.None);
        while (scheduler.Services.GetRequiredService<SchedulerState>().WorkerCount == 0)
        {
            await Task.Delay(10).WaitAsync(Timeout);
        }

        var values = Collect(meter);

        Assert.Equal(1, values["pipelinerunner.scheduler.workers"]);
        Assert.Equal(0, values["pipelinerunner.scheduler.runs"]);
        Assert.Equal(0, values["pipelinerunner.scheduler.ready_nodes"]);
        Assert.Equal(1000, values["pipelinerunner.store.memory"]);
        Assert.Equal(0, values["pipelinerunner.store.spilled"]);
        Assert.Equal(1 << 20, values["pipelinerunner.store.memory_limit"]);
        await stop.CancelAsync();
        await serving;
    }

    /// <summary>One collection of this meter's gauges (only this scheduler's: other tests host schedulers too).</summary>
    private static Dictionary<string, long> Collect(Meter meter)
    {
        var values = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
