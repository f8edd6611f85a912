using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Distributed.Tests;

/// <summary>A driver against a scheduler that has no workers: it says so at once and keeps saying so, and can give up.</summary>
public sealed class NoWorkersTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly StringWriterLoggerProvider _log = new();
    private readonly ILoggerFactory _loggerFactory;
    private SchedulerServer _scheduler = null!;

    public NoWorkersTests() => _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Debug));

    public async Task InitializeAsync() => _scheduler = await SchedulerServer.StartAsync(loggerFactory: _loggerFactory);

    public async Task DisposeAsync()
    {
        await _scheduler.DisposeAsync();
        _loggerFactory.Dispose();
    }

    private static DataCatalog Catalog()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        return catalog;
    }

    [Fact]
    public async Task WithAWaitForWorkersTimeout_TheRunWarnsAtEveryInterval_ThenFailsNamingTheScheduler()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var runner = new DistributedRunner(
            new DistributedRunnerOptions
            {
                SchedulerAddress = _scheduler.Address,
                WaitForWorkersTimeout = TimeSpan.FromSeconds(30),
                NoWorkersWarningInterval = TimeSpan.FromSeconds(10),
                TimeProvider = clock,
            },
            _loggerFactory);
        var run = runner.RunAsync(SharedPipelines.Chain(3), Catalog());

        // Warned at once, then every 10 s of the (fake) clock; at 30 s without workers the run fails.
        for (var warnings = 1; warnings <= 3; warnings++)
        {
            await WaitForAsync(() => _log.Count("No workers are connected") >= warnings);
            Assert.False(run.IsCompleted, $"the run ended after {warnings} warning(s)");
            Assert.Equal(warnings, _log.Count("No workers are connected"));
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        var ex = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => run.WaitAsync(Timeout));
        Assert.StartsWith($"No workers connected to the scheduler at {_scheduler.Address} within 30 s (DistributedRunnerOptions.WaitForWorkersTimeout, --wait-for-workers)", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"Warning: No workers are connected to the scheduler at {_scheduler.Address}; the run waits for workers (20 s so far)", _log.ToString(), StringComparison.Ordinal);

        // The scheduler's record of the run, written once it sees the driver's stream end; the driver released its inputs.
        await WaitForAsync(() => _log.Count(" cancelled by its driver after ") > 0 && _scheduler.StoreNames.Count == 0);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Timeout, "timed out waiting");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task AWorkerThatJoinsLater_RunsTheWaitingRun_AfterTheWarning()
    {
        await using var runner = new DistributedRunner(
            new DistributedRunnerOptions { SchedulerAddress = _scheduler.Address, NoWorkersWarningInterval = TimeSpan.FromMilliseconds(200) },
            _loggerFactory);
        var run = runner.RunAsync(SharedPipelines.Chain(3), Catalog());
        while (_log.Count("No workers are connected") == 0)
        {
            Assert.False(run.IsCompleted, "the run ended without workers");
            await Task.Delay(10);
        }

        using var stop = new CancellationTokenSource();
        var worker = new PipelineWorker(new WorkerOptions { SchedulerAddress = _scheduler.Address, WorkerId = "late" }, new PipelineNodeResolver(SharedPipelines.All()));
        var serving = worker.RunAsync(stop.Token);
        try
        {
            var outputs = await run.WaitAsync(Timeout);
            Assert.Equal(4, outputs["chain_3"]);
            Assert.Contains("Information: Run ", _log.ToString(), StringComparison.Ordinal);
            Assert.Matches(@"Run \S+ submitted: 3 node\(s\), 0 worker\(s\) connected", _log.ToString());
            Assert.Matches(@"Run \S+ succeeded after [0-9.]+ s: 3 node\(s\) completed, 0 failed", _log.ToString());
        }
        finally
        {
            await stop.CancelAsync();
            await serving;
        }
    }
}
