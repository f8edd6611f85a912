using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>End-to-end tests of the default local pool: an in-process scheduler and workers over real gRPC on loopback.</summary>
public sealed class DistributedRunnerTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pr-dist-" + Guid.NewGuid().ToString("N"));
    private DistributedRunner _runner = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 2 });
        return _runner.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _runner.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    internal static DataCatalog SuiteCatalog(string directory, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var catalog = CatalogConfiguration.FromYaml(
            """
            stats:
              type: JsonDataset
              filepath: stats.json
            """,
            new CatalogLoadOptions { BaseDirectory = directory, Logger = logger });
        catalog.AddValues([new("chain_input", 100)]);
        catalog.AddParameters(new Dictionary<string, object?>
        {
            ["fan"] = new Dictionary<string, object?> { ["n"] = 6L },
            ["report"] = new Dictionary<string, object?> { ["factor"] = 2.5, ["label"] = "digits" },
        });
        return catalog;
    }

    internal static Pipeline Suite() => SharedPipelines.Chain(20) + SharedPipelines.FanOutFanIn() + SharedPipelines.Report();

    /// <summary>The free outputs and the persisted file of two runs of <see cref="Suite"/> are the same.</summary>
    internal static void AssertSameResults(IReadOnlyDictionary<string, object?> expected, IReadOnlyDictionary<string, object?> actual, string directory)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var key in expected.Keys)
        {
            Assert.Equal(expected[key], actual[key]);
        }

        // The persisted file dataset was written by a worker from its catalog definition.
        Assert.Equal(
            File.ReadAllText(Path.Combine(directory, "sequential", "stats.json")),
            File.ReadAllText(Path.Combine(directory, "distributed", "stats.json")));
    }

    [Fact]
    public async Task SharedSuite_ResultsEqualSequentialRunner()
    {
        var expected = await new SequentialRunner().RunAsync(Suite(), SuiteCatalog(Path.Combine(_directory, "sequential")));
        var actual = await _runner.RunAsync(Suite(), SuiteCatalog(Path.Combine(_directory, "distributed")));

        AssertSameResults(expected, actual, _directory);
        Assert.Equal(120, actual["chain_20"]);
        Assert.Equal(1L + 4 + 9 + 16, actual["sum_of_squares"]); // squares of values[0..3]
        Assert.Equal(3.5 * 2.5, (double)actual["scaled_mean"]!, 6); // values 1..6
        Assert.Equal("digits: mean=3.50 max=6.00", actual["report_text"]);
    }

    [Fact]
    public async Task DriverOnlyDatasets_StandInThroughStoreCopies_WithoutReplacingWarnings()
    {
        var logger = new RecordingLogger();
        var catalog = SuiteCatalog(Path.Combine(_directory, "quiet"), logger);

        var result = await _runner.RunAsync(Suite(), catalog);

        Assert.Equal(120, result["chain_20"]);
        Assert.Empty(logger.Messages);
        Assert.IsType<MemoryDataset>(catalog.GetDataset("chain_input"));
    }

    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));
    }

    [Fact]
    public async Task Store_ReleasesEachDatasetWhenItsLoadCountReachesZero()
    {
        var snapshots = new ConcurrentQueue<(string Node, string[] Store)>();
        var progress = new InlineProgress(p =>
        {
            if (p.Kind == NodeProgressKind.Completed)
            {
                snapshots.Enqueue((p.NodeName, [.. _runner.ListStoreAsync().GetAwaiter().GetResult().Names]));
            }
        });
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        var result = await _runner.RunAsync(SharedPipelines.Chain(4), catalog, new RunOptions { Progress = progress });

        Assert.Equal(5, result["chain_4"]);
        var byNode = snapshots.ToDictionary(s => s.Node, s => s.Store);
        // After the driver completes node k: chain_k is stored and chain_(k-1), read only by node k, is released.
        // Workers run ahead of the driver, so later outputs may already be there; earlier ones never are.
        for (var k = 1; k <= 4; k++)
        {
            var store = byNode[$"inc{k:D3}"];
            Assert.Contains($"chain_{k}", store);
            Assert.Contains("chain_input", store);
            Assert.All(store.Where(n => n != "chain_input"), n => Assert.True(int.Parse(n["chain_".Length..], System.Globalization.CultureInfo.InvariantCulture) >= k, $"after inc{k:D3}: {n} should be released"));
        }

        // After the run: the driver's input copy is gone, the free output stays published (as in the seed).
        Assert.Equal(["chain_4"], (await _runner.ListStoreAsync()).Names);
        await _runner.ReleaseStoreAsync(["chain_4"]);
    }

    [Fact]
    public async Task RunOnlyMissing_ReusesDatasetsPublishedByAnEarlierRun()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 10)]);
        await _runner.RunAsync(SharedPipelines.Chain(5), catalog);
        Assert.Contains("chain_5", (await _runner.ListStoreAsync()).Names);

        var ran = new ConcurrentQueue<string>();
        var progress = new InlineProgress(p =>
        {
            if (p.Kind == NodeProgressKind.Completed)
            {
                ran.Enqueue(p.NodeName);
            }
        });
        var result = await _runner.RunOnlyMissingAsync(SharedPipelines.Chain(7), catalog, new RunOptions { Progress = progress });
        Assert.Equal(["inc006", "inc007"], ran.Order());
        Assert.Equal(17, result["chain_7"]);
        await _runner.ReleaseStoreAsync(["chain_5", "chain_7"]);
    }

    [Fact]
    public async Task NodeException_NamesNodeWorkerTypeMessageAndStack_AndReleasesTheRunsDatasets()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 41)]);
        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() => _runner.RunAsync(SharedPipelines.Failing(), catalog));

        Assert.Equal("explodes", ex.NodeName);
        var remote = Assert.IsType<RemoteNodeException>(ex.InnerException);
        Assert.StartsWith("local-", remote.WorkerId);
        Assert.Equal("System.InvalidOperationException", remote.RemoteType);
        Assert.Equal("bad input 42", remote.RemoteMessage);
        Assert.Contains("SharedPipelines.Fail", remote.RemoteStackTrace);
        Assert.Contains($"Node 'explodes' failed on worker '{remote.WorkerId}': System.InvalidOperationException: bad input 42", remote.Message);
        Assert.Empty((await _runner.ListStoreAsync()).Names);
    }

    [Fact]
    public async Task AFailedRun_SuggestsTheSameResumeNodesAsSequentialRunner()
    {
        // 'b' lived in the store and was released with the failed run: resuming must re-create it, as in-process.
        var sequential = await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(SharedPipelines.Failing(), FailingCatalog()));
        var distributed = await Assert.ThrowsAsync<NodeExecutionException>(() => _runner.RunAsync(SharedPipelines.Failing(), FailingCatalog()));

        Assert.Equal(["ok_before"], sequential.ResumeFromNodes);
        Assert.Equal(sequential.ResumeFromNodes, distributed.ResumeFromNodes);

        static DataCatalog FailingCatalog()
        {
            var catalog = new DataCatalog();
            catalog.AddValues([new("a", 41)]);
            return catalog;
        }
    }

    [Fact]
    public async Task LargeDataset_RoundTripsThroughTheStore_AndMemoryIsFreed()
    {
        const int megabytes = 512;
        var catalog = new DataCatalog();
        catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = (long)megabytes });
        var result = await _runner.RunAsync(SharedPipelines.Blob(), catalog);

        Assert.Equal(SharedPipelines.Checksum(SharedPipelines.CreateBlob(megabytes)), result["checksum"]);
        var (names, bytes) = await _runner.ListStoreAsync();
        Assert.Equal(["checksum"], names); // the 512 MB intermediate was released by load count
        Assert.True(bytes < 1024, $"store still holds {bytes} bytes");
        await _runner.ReleaseStoreAsync(["checksum"]);
    }

    [Fact]
    public async Task UnserializableValue_FailsNamingDatasetTypeAndFix()
    {
        var pipeline = new Pipeline([
            Node.Create((int x) => new Unserializable(x), "a", "thing", name: "make"),
            Node.Create((Unserializable u) => u.Value, "thing", "b", name: "use"),
        ]);
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() => _runner.RunAsync(pipeline, catalog));
        var remote = Assert.IsType<RemoteNodeException>(ex.InnerException);
        Assert.Contains("Dataset 'thing': MessagePack cannot serialize a value of type Unserializable", remote.RemoteMessage);
        Assert.Contains("To fix it", remote.RemoteMessage);
    }

    [Fact]
    public async Task UnreachableScheduler_FailsWithinTheConnectTimeout()
    {
        await using var runner = new DistributedRunner(new DistributedRunnerOptions
        {
            SchedulerAddress = new Uri("http://127.0.0.1:9"),
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => runner.RunAsync(SharedPipelines.Chain(2), catalog));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal("Cannot reach the scheduler at http://127.0.0.1:9/: connection refused.", ex.Message);
    }

    /// <summary>A type MessagePack cannot serialize: no public members or constructor to build it from.</summary>
    public sealed class Unserializable
    {
        private readonly int _value;

        public Unserializable(int value) => _value = value;

        public int Value() => _value;
    }
}

/// <summary>Reports synchronously on the caller's thread.</summary>
internal sealed class InlineProgress(Action<NodeProgress> report) : IProgress<NodeProgress>
{
    public void Report(NodeProgress value) => report(value);
}

/// <summary>Hooks and cancellation on the local pool.</summary>
public sealed class DistributedRunnerHookAndCancelTests : IAsyncLifetime
{
    private readonly DistributedRunner _runner = new(new DistributedRunnerOptions { LocalWorkers = 2 });

    public Task InitializeAsync() => _runner.StartAsync();

    public async Task DisposeAsync() => await _runner.DisposeAsync();

    private sealed class RecordingHook : Hooks.IRunHook
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public ConcurrentQueue<string> Sessions { get; } = new();

        public ValueTask BeforePipelineRunAsync(Hooks.PipelineRunInfo run, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"before_pipeline:{run.RunnerName}");
            return default;
        }

        public ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(Hooks.NodeRunInfo node, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"before_node:{node.Node.Name}:{string.Join(",", node.Inputs.Select(i => $"{i.Key}={i.Value}"))}");
            Sessions.Enqueue(node.SessionId);
            return default;
        }

        public ValueTask AfterNodeRunAsync(Hooks.NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"after_node:{node.Node.Name}:{string.Join(",", outputs.Select(o => $"{o.Key}={o.Value}"))}");
            return default;
        }

        public ValueTask AfterPipelineRunAsync(Hooks.PipelineRunInfo run, IReadOnlyDictionary<string, object?> result, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"after_pipeline:{string.Join(",", result.Keys)}");
            return default;
        }

        public ValueTask AfterDatasetLoadedAsync(Hooks.DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"loaded:{dataset.DatasetName}={data}");
            return default;
        }

        public ValueTask AfterDatasetSavedAsync(Hooks.DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"saved:{dataset.DatasetName}={data}");
            return default;
        }
    }

    /// <summary>An input whose load finishes only once every one of its group has started loading.</summary>
    private sealed class RendezvousDataset(CountdownEvent group, int value) : AbstractDataset<int>
    {
        protected override async ValueTask<int> LoadCoreAsync(CancellationToken cancellationToken)
        {
            group.Signal();
            await Task.Run(() => group.Wait(TimeSpan.FromSeconds(10), cancellationToken), cancellationToken);
            return group.IsSet ? value : throw new TimeoutException("the driver loaded its inputs one after another");
        }

        protected override ValueTask SaveCoreAsync(int data, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Fact]
    public async Task TheDriversInputs_ArePublishedTogether()
    {
        using var group = new CountdownEvent(3);
        var catalog = new DataCatalog([
            new("a", new RendezvousDataset(group, 1)),
            new("b", new RendezvousDataset(group, 2)),
            new("c", new RendezvousDataset(group, 3)),
        ]);
        var pipeline = new Pipeline([Node.Create((int a, int b, int c) => a + b + c, new[] { "a", "b", "c" }, "sum", name: "add")]);

        var outputs = await _runner.RunAsync(pipeline, catalog).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(6, outputs["sum"]);
    }

    private sealed class BrokenDataset : AbstractDataset<int>
    {
        protected override async ValueTask<int> LoadCoreAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(50, cancellationToken); // the other inputs are published meanwhile
            throw new IOException("disk gone");
        }

        protected override ValueTask SaveCoreAsync(int data, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Fact]
    public async Task AnInputThatCannotBeLoaded_FailsTheRun_NamingIt_AndLeavesNothingInTheStore()
    {
        var catalog = new DataCatalog([new("a", new MemoryDataset(1)), new("b", new BrokenDataset())]);
        var pipeline = new Pipeline([Node.Create((int a, int b) => a + b, new[] { "a", "b" }, "sum", name: "add")]);

        var before = (await _runner.ListStoreAsync()).Names; // other tests of this class share the runner

        var error = await Assert.ThrowsAsync<DatasetException>(() => _runner.RunAsync(pipeline, catalog).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await _runner.ListStoreAsync()).Names); // 'a' was published, then released
    }

    private sealed class BrokenHook : Hooks.IRunHook
    {
        public List<string> Errors { get; } = [];

        public ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(Hooks.NodeRunInfo node, CancellationToken cancellationToken) =>
            node.Node.Name == "inc002" ? throw new InvalidOperationException("hook broke") : ValueTask.FromResult<IReadOnlyDictionary<string, object?>?>(null);

        public ValueTask OnNodeErrorAsync(Hooks.NodeRunInfo node, Exception error, CancellationToken cancellationToken)
        {
            Errors.Add($"{node.Node.Name}: {error.Message}");
            return default;
        }
    }

    [Fact]
    public async Task ABeforeNodeRunHookThatThrows_FailsItsNodeOnTheWorker_AndItsErrorHookRunsThere()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        var hook = new BrokenHook();

        var error = await Assert.ThrowsAsync<NodeExecutionException>(() => _runner.RunAsync(SharedPipelines.Chain(3), catalog, new RunOptions { Hooks = [hook] }).WaitAsync(TimeSpan.FromSeconds(30)));

        // The hook ran on the worker, as the node did: the driver reports the worker's failure.
        Assert.Equal("inc002", error.NodeName);
        var remote = Assert.IsType<RemoteNodeException>(error.InnerException);
        Assert.Equal(typeof(InvalidOperationException).FullName, remote.RemoteType);
        Assert.Equal("hook broke", remote.RemoteMessage);
        Assert.Equal(["inc002: hook broke"], hook.Errors); // once, with the original exception, where the node ran
    }

    private sealed class ReplacingHook : Hooks.IRunHook
    {
        public ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(Hooks.NodeRunInfo node, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyDictionary<string, object?>?>(
                node.Node.Name == "inc002" ? new Dictionary<string, object?> { ["chain_1"] = 100 } : null);
    }

    [Fact]
    public async Task ABeforeNodeRunHook_ReplacesAnInput_OnTheWorker()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);

        var outputs = await _runner.RunAsync(SharedPipelines.Chain(3), catalog, new RunOptions { Hooks = [new ReplacingHook()] });

        Assert.Equal(102, outputs["chain_3"]); // inc002 read 100 instead of 2
        Assert.DoesNotContain("chain_1", (await _runner.ListStoreAsync()).Names); // nothing of the run is left in the store
    }

    [Fact]
    public async Task NodeAndDatasetHooks_FireOnTheLocalPoolsWorkers_WithTheDriversHookInstances_PipelineHooksOnTheDriver()
    {
        var hook = new RecordingHook();
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        await _runner.RunAsync(SharedPipelines.Chain(2), catalog, new RunOptions { Hooks = [hook], SessionId = "session-7" });
        Assert.Equal(
            [
                "before_pipeline:DistributedRunner",
                "loaded:chain_input=1", "before_node:inc001:chain_input=1", "after_node:inc001:chain_1=2", "saved:chain_1=2",
                "loaded:chain_1=2", "before_node:inc002:chain_1=2", "after_node:inc002:chain_2=3", "saved:chain_2=3",
                "after_pipeline:chain_2",
            ],
            hook.Calls);
        Assert.Equal(["session-7", "session-7"], hook.Sessions); // the driver's session id reaches the workers
        await _runner.ReleaseStoreAsync(["chain_2"]);
    }

    [Fact]
    public async Task Cancellation_CancelsTheRunAndReleasesItsDatasets()
    {
        var pipeline = new Pipeline([
            Node.Create((int a) => a + 1, "a", "b", name: "first"),
            Node.Create(async (int b, CancellationToken ct) => { await Task.Delay(Timeout.Infinite, ct); return b; }, "b", "c", name: "forever"),
        ]);
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        using var cts = new CancellationTokenSource();
        var progress = new InlineProgress(p =>
        {
            if (p is { Kind: NodeProgressKind.Started, NodeName: "forever" })
            {
                cts.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _runner.RunAsync(pipeline, catalog, new RunOptions { Progress = progress }, cts.Token).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty((await _runner.ListStoreAsync()).Names);

        // The workers' slots were freed: the next run completes.
        var again = new DataCatalog();
        again.AddValues([new("chain_input", 1)]);
        var result = await _runner.RunAsync(SharedPipelines.Chain(3), again);
        Assert.Equal(4, result["chain_3"]);
        await _runner.ReleaseStoreAsync(["chain_3"]);
    }
}
