using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// Faults with real worker processes on 127.0.0.1 and an in-process scheduler: workers killed (SIGKILL) mid-node and
/// idle, frozen (SIGSTOP, missed heartbeats), crashing on a poisonous node, shutting down gracefully (SIGTERM), a
/// scheduler restart, and a driver killed mid-run.
/// </summary>
public sealed class FaultToleranceTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);
    private readonly string _markers = Path.Combine(Path.GetTempPath(), "pr-faults-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentBag<ChildProcess> _processes = [];
    private readonly StringWriterLoggerProvider _log = new();
    private SchedulerServer _scheduler = null!;

    /// <summary>Kills performed across this class's tests (each test asserts its own count).</summary>
    public static int TotalKills;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_markers);
        return StartSchedulerAsync(port: 0);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await _scheduler.DisposeAsync();
        Directory.Delete(_markers, recursive: true);
    }

    private async Task StartSchedulerAsync(int port, int allowedWorkerDeaths = 3)
    {
        _scheduler = await SchedulerServer.StartAsync(
            new SchedulerOptions
            {
                Port = port,
                // Short enough to keep the frozen-worker test quick, long enough that a worker starved of CPU on a
                // busy CI machine (heartbeats every second) is not declared dead by mistake.
                WorkerTimeout = TimeSpan.FromSeconds(5),
                AllowedWorkerDeaths = allowedWorkerDeaths,
                DriverLeaseTimeout = TimeSpan.FromSeconds(1),
            },
            LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Information)));
    }

    private async Task<ChildProcess> StartWorkerAsync(string id)
    {
        var worker = ChildProcess.Start("worker", "--scheduler", _scheduler.Address.ToString(), "--id", id);
        _processes.Add(worker);
        await worker.WaitForLineAsync("worker ", StartTimeout);
        return worker;
    }

    private DataCatalog SlowCatalog(int input, long delayMs)
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("slow_input", input)]);
        catalog.AddParameters(new Dictionary<string, object?> { ["markers"] = _markers, ["delay_ms"] = delayMs });
        return catalog;
    }

    /// <summary>Marker files (input value, pid) written by slow nodes as they start.</summary>
    private List<(int Value, int Pid)> Markers() =>
        Directory.EnumerateFiles(_markers)
            .Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".go", StringComparison.Ordinal))
            .Select(f => f!.Split('.'))
            .Select(p => (int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

    private async Task WaitForWorkersAsync(int count)
    {
        var deadline = Stopwatch.StartNew();
        while (Connected() < count)
        {
            Assert.True(deadline.Elapsed < StartTimeout, $"only {Connected()} of {count} workers connected:\n{_log}");
            await Task.Delay(50);
        }

        int Connected() => _log.Count("connected with") - _log.Count("disconnected") - _log.Count("left;");
    }

    [Fact]
    public async Task WorkersKilledMidNode_TwentyTimes_RunsFinishWithIdenticalOutputs_AndTheStoreEmpties()
    {
        var workers = new ConcurrentDictionary<int, ChildProcess>();
        foreach (var id in new[] { "a0", "b0" })
        {
            var worker = await StartWorkerAsync(id);
            workers[worker.Id] = worker;
        }

        var kills = 0;
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler.Address });
        for (var round = 1; round <= 2; round++)
        {
            var input = round * 100;
            var killed = new HashSet<int>();
            using var done = new CancellationTokenSource();
            var killer = Task.Run(async () =>
            {
                // Kill the worker running each node the first time the node starts, and start a replacement.
                while (!done.IsCancellationRequested)
                {
                    foreach (var (value, pid) in Markers().Where(m => m.Value >= input && m.Value < input + 10 && !killed.Contains(m.Value)))
                    {
                        if (workers.TryRemove(pid, out var victim))
                        {
                            killed.Add(value);
                            victim.Kill();
                            Interlocked.Increment(ref kills);
                            // The node's first attempt waits for this file, so it was still running when killed; the
                            // rerun finds it and finishes at once.
                            await File.WriteAllTextAsync(Path.Combine(_markers, $"{value}.go"), string.Empty);

                            // The replacement is known by its process id before it can take a node, and the killer does
                            // not wait for it to connect: every kill lands while its node runs (400 ms), never later.
                            var replacement = ChildProcess.Start("worker", "--scheduler", _scheduler.Address.ToString(), "--id", $"r{round}-{value}");
                            _processes.Add(replacement);
                            workers[replacement.Id] = replacement;
                        }
                    }

                    await Task.Delay(10);
                }
            });

            var outputs = await runner.RunAsync(SharedPipelines.SlowChain(10), SlowCatalog(input, delayMs: 60_000)).WaitAsync(RunTimeout);
            await done.CancelAsync();
            await killer;

            Assert.Equal(input + 10, outputs["slow_10"]);
            Assert.Equal(10, killed.Count); // every node lost its first worker and still finished
            // Intermediates were released by load count despite the kills; only the free output stays published.
            Assert.Equal(["slow_10"], (await runner.ListStoreAsync()).Names);
        }

        Assert.Equal(20, kills);
        Interlocked.Add(ref TotalKills, kills);
        Assert.Equal(20, _log.Count("disconnected; 1 running node(s) requeued"));
    }

    [Fact]
    public async Task IdleWorkerKilled_TheRunUsesTheOthers()
    {
        var idle = await StartWorkerAsync("idle");
        await StartWorkerAsync("busy");
        await WaitForWorkersAsync(2);
        idle.Kill();
        Interlocked.Increment(ref TotalKills);
        var watch = Stopwatch.StartNew();
        while (_log.Count("Worker 'idle' disconnected") == 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the scheduler did not notice the killed worker:\n" + _log);
            await Task.Delay(10);
        }

        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler.Address });
        var outputs = await runner.RunAsync(SharedPipelines.SlowChain(10), SlowCatalog(0, delayMs: 0)).WaitAsync(RunTimeout);

        Assert.Equal(10, outputs["slow_10"]);
        Assert.Contains("Worker 'idle' disconnected; 0 running node(s) requeued", _log.ToString(), StringComparison.Ordinal);
        Assert.All(Markers(), m => Assert.NotEqual(idle.Id, m.Pid));
    }

    [Fact]
    public async Task FrozenWorker_MissesHeartbeats_AndItsNodeIsRequeued()
    {
        var first = await StartWorkerAsync("f1");
        var second = await StartWorkerAsync("f2");
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler.Address });
        // Every node but the one taking input 3 finishes at once; that one holds until the test has frozen its worker.
        foreach (var value in Enumerable.Range(0, 10).Where(v => v != 3))
        {
            await File.WriteAllTextAsync(Path.Combine(_markers, $"{value}.go"), string.Empty);
        }

        var run = runner.RunAsync(SharedPipelines.SlowChain(10), SlowCatalog(0, delayMs: 60_000));
        var frozen = (ChildProcess?)null;
        var watch = Stopwatch.StartNew();
        while (frozen is null)
        {
            Assert.True(watch.Elapsed < RunTimeout, "no node started");
            var marker = Markers().FirstOrDefault(m => m.Value == 3);
            frozen = marker.Pid == first.Id ? first : marker.Pid == second.Id ? second : null;
            await Task.Delay(10);
        }

        frozen.Signal("STOP");
        await File.WriteAllTextAsync(Path.Combine(_markers, "3.go"), string.Empty); // the rerun elsewhere proceeds
        try
        {
            var outputs = await run.WaitAsync(RunTimeout);
            Assert.Equal(10, outputs["slow_10"]);
            Assert.Contains($"sent nothing for 00:00:05; declaring it dead", _log.ToString(), StringComparison.Ordinal);
            Assert.Equal(2, Markers().Count(m => m.Value == 3)); // node 3 ran again on the other worker
        }
        finally
        {
            frozen.Signal("CONT");
        }
    }

    [Fact]
    public async Task NodeThatKillsItsWorker_IsFailedAsPoisonous_AfterAllowedWorkerDeaths()
    {
        await _scheduler.DisposeAsync();
        await StartSchedulerAsync(port: 0, allowedWorkerDeaths: 2);
        var workers = new List<ChildProcess>();
        for (var i = 1; i <= 3; i++)
        {
            workers.Add(await StartWorkerAsync($"p{i}"));
        }

        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler.Address });
        var catalog = new DataCatalog();
        catalog.AddValues([new("poison_input", 1)]);

        var error = await Assert.ThrowsAsync<NodeExecutionException>(() => runner.RunAsync(SharedPipelines.Poison(), catalog).WaitAsync(RunTimeout));

        var poison = Assert.IsType<PoisonNodeException>(error.InnerException);
        Assert.StartsWith("Node 'kills_its_worker' was running on 3 workers that died (p", poison.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            "it is failed as poisonous instead of being run again (SchedulerOptions.AllowedWorkerDeaths = 2). Its execution probably kills the worker process: look for a crash, an out-of-memory kill or Environment.Exit in it.",
            poison.Message,
            StringComparison.Ordinal);
        foreach (var worker in workers)
        {
            Assert.Equal(134, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30))); // SIGABRT from FailFast
        }

        Interlocked.Add(ref TotalKills, 3);
    }

    [Fact]
    public async Task GracefulShutdown_FinishesTheRunningNode_AndTheRunDoesNotNotice()
    {
        var leaving = await StartWorkerAsync("leaving");
        await StartWorkerAsync("staying");
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler.Address });
        var run = runner.RunAsync(SharedPipelines.SlowChain(10), SlowCatalog(0, delayMs: 300));
        var watch = Stopwatch.StartNew();
        while (!Markers().Any(m => m.Pid == leaving.Id))
        {
            Assert.True(watch.Elapsed < RunTimeout, "the leaving worker got no node");
            await Task.Delay(5);
        }

        leaving.Signal("TERM");

        var outputs = await run.WaitAsync(RunTimeout);
        Assert.Equal(10, outputs["slow_10"]);
        Assert.Equal(0, await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(10, Markers().Count); // no node ran twice: the leaving worker finished its node
        Assert.Single(Markers(), m => m.Pid == leaving.Id);
        Assert.Contains("Worker 'leaving' is leaving gracefully with 1 node(s) running", _log.ToString(), StringComparison.Ordinal);
        Assert.Contains("Worker 'leaving' left; 0 node(s) it handed back were requeued", _log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchedulerRestart_WorkersReconnect_AndServeNewRuns()
    {
        await StartWorkerAsync("w1");
        await StartWorkerAsync("w2");
        await WaitForWorkersAsync(2); // connected to the first scheduler, so what follows is a reconnect
        var port = _scheduler.Address.Port;
        await _scheduler.DisposeAsync();
        await StartSchedulerAsync(port);

        await WaitForWorkersAsync(2);
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler.Address });
        var outputs = await runner.RunAsync(SharedPipelines.SlowChain(10), SlowCatalog(0, delayMs: 0)).WaitAsync(RunTimeout);
        Assert.Equal(10, outputs["slow_10"]);
    }

    [Fact]
    public async Task DriverKilledMidRun_ItsNodesAreCancelled_AndItsDatasetsFreedAfterTheLease()
    {
        await StartWorkerAsync("d1");
        await StartWorkerAsync("d2");
        var driver = ChildProcess.Start("drive", "--scheduler", _scheduler.Address.ToString(), "--markers", _markers);
        _processes.Add(driver);
        var watch = Stopwatch.StartNew();
        while (Markers().Count < 4)
        {
            Assert.True(watch.Elapsed < RunTimeout, "the driver's run did not progress:\n" + driver.Output);
            await Task.Delay(10);
        }

        Assert.NotEmpty(_scheduler.StoreNames); // intermediates of the run are in the store
        driver.Kill();
        Interlocked.Increment(ref TotalKills);

        while (_scheduler.StoreNames.Count > 0)
        {
            Assert.True(watch.Elapsed < RunTimeout, "the store kept: " + string.Join(", ", _scheduler.StoreNames));
            await Task.Delay(50);
        }

        var started = Markers().Count;
        await Task.Delay(1000); // longer than a node: nothing of the run starts any more
        Assert.Equal(started, Markers().Count);
        Assert.True(started < 10, $"{started} nodes started");
        Assert.Contains("went away: its nodes are cancelled", _log.ToString(), StringComparison.Ordinal);
        Assert.Contains("store dataset(s) released", _log.ToString(), StringComparison.Ordinal);
    }
}
