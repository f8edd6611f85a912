using PipelineRunner.Catalog;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// A scheduler (the pipeline-runner tool) and two workers (the test app) as separate OS processes on 127.0.0.1; the
/// test is the driver.
/// </summary>
public sealed class ProcessClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pr-proc-" + Guid.NewGuid().ToString("N"));
    private readonly List<ChildProcess> _processes = [];
    private Uri _scheduler = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        // The standalone scheduler is the pipeline-runner tool: it has none of the user's code.
        var scheduler = ChildProcess.StartTool("scheduler");
        _processes.Add(scheduler);
        var line = await scheduler.WaitForLineAsync("scheduler listening on ", StartTimeout);
        _scheduler = new Uri(line["scheduler listening on ".Length..]);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private ChildProcess Start(params string[] args)
    {
        var process = ChildProcess.Start(args);
        _processes.Add(process);
        return process;
    }

    private async Task StartWorkersAsync(string variant = "default", params string[] extra)
    {
        for (var i = 1; i <= 2; i++)
        {
            var worker = Start(["worker", "--scheduler", _scheduler.ToString(), "--id", $"proc-{variant}-{i}", "--concurrency", "2", "--variant", variant, .. extra]);
            await worker.WaitForLineAsync("worker ", StartTimeout);
        }
    }

    [Fact]
    public async Task SharedSuite_OnSeparateProcesses_EqualsSequentialRunner()
    {
        await StartWorkersAsync();
        var expected = await new SequentialRunner().RunAsync(DistributedRunnerTests.Suite(), DistributedRunnerTests.SuiteCatalog(Path.Combine(_directory, "sequential")));
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler });
        var actual = await runner.RunAsync(DistributedRunnerTests.Suite(), DistributedRunnerTests.SuiteCatalog(Path.Combine(_directory, "distributed")));

        DistributedRunnerTests.AssertSameResults(expected, actual, _directory);
    }

    /// <summary>Records the driver's hook calls.</summary>
    private sealed class DriverHook : Hooks.IRunHook
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Calls { get; } = new();

        public ValueTask BeforePipelineRunAsync(Hooks.PipelineRunInfo run, CancellationToken cancellationToken)
        {
            Calls.Enqueue("before_pipeline");
            return default;
        }

        public ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(Hooks.NodeRunInfo node, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"before_node:{node.Node.Name}");
            return default;
        }

        public ValueTask AfterDatasetLoadedAsync(Hooks.DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"loaded:{dataset.DatasetName}");
            return default;
        }

        public ValueTask AfterPipelineRunAsync(Hooks.PipelineRunInfo run, IReadOnlyDictionary<string, object?> result, CancellationToken cancellationToken)
        {
            Calls.Enqueue("after_pipeline");
            return default;
        }
    }

    [Fact]
    public async Task NodeAndDatasetHooks_RunInTheWorkerProcesses_FromTheWorkerAppsHooks_PipelineHooksOnTheDriver()
    {
        var markers = Path.Combine(_directory, "markers");
        Directory.CreateDirectory(markers);
        await StartWorkersAsync("default", "--hook-markers", markers);
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler });
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        var driverHook = new DriverHook();

        var outputs = await runner.RunAsync(SharedPipelines.Chain(2), catalog, new RunOptions { Hooks = [driverHook], SessionId = "remote-session" });

        Assert.Equal(3, outputs["chain_2"]);
        Assert.Equal(["before_pipeline", "after_pipeline"], driverHook.Calls); // the driver's node hooks do not run for remote nodes
        string Marker(string name) => File.ReadAllText(Path.Combine(markers, name));
        Assert.Equal(
            ["after_node.inc001", "after_node.inc002", "before_node.inc001", "before_node.inc002", "loaded.chain_1", "loaded.chain_input", "saved.chain_1", "saved.chain_2"],
            Directory.GetFiles(markers).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("remote-session", Marker("before_node.inc001")); // the driver's session id reaches the workers
        Assert.Equal("chain_2=3", Marker("after_node.inc002"));
        Assert.Equal("1", Marker("loaded.chain_input"));
        Assert.Equal("2", Marker("saved.chain_1"));
    }

    [Fact]
    public async Task NodeException_FromAWorkerProcess_NamesTheWorker()
    {
        await StartWorkersAsync();
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler });
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() => runner.RunAsync(SharedPipelines.Failing(), catalog));
        var remote = Assert.IsType<RemoteNodeException>(ex.InnerException);
        Assert.StartsWith("proc-default-", remote.WorkerId);
        Assert.Equal("bad input 2", remote.RemoteMessage);
    }

    [Fact]
    public async Task WorkerWithADifferentPipelineDefinition_RefusesTheNode()
    {
        await StartWorkersAsync(variant: "changed");
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _scheduler });
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() => runner.RunAsync(SharedPipelines.Chain(3), catalog));
        Assert.Equal("inc001", ex.NodeName);
        var refused = Assert.IsType<NodeRefusedException>(ex.InnerException);
        Assert.Contains("refuses node 'inc001': its definition differs from the driver's", refused.Message);
        Assert.Contains("inc001([other_input]) -> [chain_1] from PipelineRunner.Distributed.TestApp", refused.Message);
        Assert.DoesNotContain("different build", refused.Message); // same build, another definition
        Assert.Empty((await runner.ListStoreAsync()).Names);
    }

    [Fact]
    public async Task SchedulerKilledMidRun_FailsWithinBoundedTime()
    {
        await StartWorkersAsync();
        await using var runner = new DistributedRunner(new DistributedRunnerOptions
        {
            SchedulerAddress = _scheduler,
            PingDelay = TimeSpan.FromSeconds(1),
            PingTimeout = TimeSpan.FromSeconds(2),
        });
        var catalog = new DataCatalog();
        catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 256L });
        var run = runner.RunAsync(SharedPipelines.Blob(), catalog);
        await Task.Delay(300);
        _processes[0].Kill(); // the scheduler
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = await Record.ExceptionAsync(() => run.WaitAsync(TimeSpan.FromSeconds(60)));
        var ex = error as SchedulerUnavailableException;
        Assert.True(ex is not null, $"expected SchedulerUnavailableException, got: {error}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Contains($"scheduler at {_scheduler}", ex.Message);
    }
}

/// <summary>The one-call command-line entry points' argument errors.</summary>
public sealed class DistributedCommandLineTests
{
    [Theory]
    [InlineData(new[] { "worker" }, "worker: A scheduler address is needed (--scheduler), such as http://127.0.0.1:5123.")]
    [InlineData(new[] { "worker", "--scheduler", "tcp://x" }, "worker: Invalid scheduler address 'tcp://x' (--scheduler): its scheme is 'tcp', not http or https. Expected http://HOST:PORT or https://HOST:PORT.")]
    [InlineData(new[] { "worker", "--scheduler", "http://x" }, "worker: Invalid scheduler address 'http://x' (--scheduler): it has no port (the scheduler prints its address, port included, when it starts). Expected http://HOST:PORT or https://HOST:PORT.")]
    [InlineData(new[] { "worker", "--scheduler", "http://127.0.0.1:1", "--concurrency", "0" }, "worker: --concurrency must be a whole number of at least 1, got '0'.")]
    public async Task Worker_BadArguments_SayWhatIsWrong(string[] args, string message)
    {
        using var output = new StringWriter();
        Assert.Equal(2, await Workers.DistributedCommandLine.RunWorkerIfRequestedAsync(args, [], output));
        Assert.Equal(message, output.ToString().Trim());
    }

    [Fact]
    public async Task Scheduler_BadHostAndPort_SayWhatIsWrong()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await PipelineRunner.Distributed.Scheduling.SchedulerCommandLine.RunSchedulerIfRequestedAsync(["scheduler", "--port", "70000"], output));
        Assert.Equal(2, await PipelineRunner.Distributed.Scheduling.SchedulerCommandLine.RunSchedulerIfRequestedAsync(["scheduler", "--host", "example.com"], output));
        Assert.Contains("scheduler: --port must be a number from 0 to 65535, got '70000'.", output.ToString());
        Assert.Contains("SchedulerOptions.Host 'example.com' is not an IP address", output.ToString());
    }

    [Fact]
    public async Task OtherCommands_AreNotClaimed()
    {
        Assert.Null(await Workers.DistributedCommandLine.RunWorkerIfRequestedAsync(["run"], [], TextWriter.Null));
        Assert.Null(await PipelineRunner.Distributed.Scheduling.SchedulerCommandLine.RunSchedulerIfRequestedAsync([], TextWriter.Null));
    }
}
