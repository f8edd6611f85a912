using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Distributed.Tests;

/// <summary>A leaving worker gives its running nodes DrainTimeout on its own clock, then hands them back.</summary>
public sealed class WorkerDrainTests : IDisposable
{
    private readonly string _markers = Directory.CreateTempSubdirectory("pr-drain-").FullName;

    public void Dispose() => Directory.Delete(_markers, recursive: true);

    [Fact]
    public async Task ALeavingWorker_WaitsForItsRunningNode_UntilTheDrainTimeoutPassesOnItsClock_ThenHandsItBack()
    {
        var log = new StringWriterLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log));
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { WorkerTimeout = TimeSpan.FromMinutes(5) }, loggerFactory);
        var clock = new FakeTimeProvider();
        using var stop = new CancellationTokenSource();
        var worker = new PipelineWorker(
            new WorkerOptions { SchedulerAddress = scheduler.Address, WorkerId = "draining", DrainTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock },
            new PipelineNodeResolver(SharedPipelines.All()),
            loggerFactory);
        var serving = worker.RunAsync(stop.Token);
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = scheduler.Address });
        var catalog = new DataCatalog();
        catalog.AddValues([new("slow_input", 0)]);
        catalog.AddParameters(new Dictionary<string, object?> { ["markers"] = _markers, ["delay_ms"] = 60_000L });
        using var cancelRun = new CancellationTokenSource();
        var run = runner.RunAsync(SharedPipelines.SlowChain(1), catalog, cancellationToken: cancelRun.Token);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!Directory.EnumerateFiles(_markers).Any())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the node never started");
            await Task.Delay(10);
        }

        await stop.CancelAsync(); // the worker leaves: its node may finish within DrainTimeout

        await Task.Delay(500);
        Assert.False(serving.IsCompleted, "the worker left without waiting for its running node");
        clock.Advance(TimeSpan.FromSeconds(30));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        watch.Restart();
        while (!log.ToString().Contains("Worker 'draining' left; 1 node(s) it handed back were requeued", StringComparison.Ordinal))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), log.ToString());
            await Task.Delay(10);
        }

        await cancelRun.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
