using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Runners;

public class SequentialRunnerTests
{
    private static Pipeline Chain() => new([
        Node.Create((int a) => a + 1, "a", "b", name: "first"),
        Node.Create((int b, double k) => b * k, new[] { "b", "params:k" }, "c", name: "second"),
        Node.Create((double c) => $"{c}", "c", "d", name: "third"),
    ]);

    private static DataCatalog Catalog()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        catalog.AddParameters(new Dictionary<string, object?> { ["k"] = 2.5 });
        return catalog;
    }

    [Fact]
    public async Task Run_ReturnsFreeOutputs()
    {
        var result = await new SequentialRunner().RunAsync(Chain(), Catalog());
        Assert.Equal(["d"], result.Keys);
        Assert.Equal("5", result["d"]);
    }

    [Fact]
    public async Task Run_WithNullOptions_CompilesAndRunsWithDefaultOptions()
    {
        // Was CS0121 (ambiguous between the hooks overload and the options overload): one overload now, null = defaults.
        AbstractRunner runner = new SequentialRunner();
        var result = await runner.RunAsync(Chain(), Catalog(), null);
        Assert.Equal("5", result["d"]);
        using var cts = new CancellationTokenSource();
        result = await runner.RunAsync(Chain(), Catalog(), null, cts.Token);
        Assert.Equal("5", result["d"]);
        result = await runner.RunAsync(Chain(), Catalog(), cancellationToken: cts.Token);
        Assert.Equal("5", result["d"]);
    }

    [Fact]
    public async Task Run_RegisteredOutputsAreSavedNotReturned()
    {
        var catalog = Catalog();
        var events = new ConcurrentQueue<string>();
        var d = new RecordingDataset("d", events);
        catalog.Add("d", d);
        var result = await new SequentialRunner().RunAsync(Chain(), catalog);
        Assert.Empty(result);
        Assert.Equal("5", d.Value);
    }

    [Fact]
    public async Task Run_MissingInputsFailBeforeAnyNodeRuns()
    {
        var ran = false;
        var pipeline = new Pipeline([
            Node.Create(() => { ran = true; return 1; }, null, "x", name: "free"),
            Node.Create((int a, int b) => a + b, new[] { "a", "z" }, "y", name: "needs"),
        ]);
        var ex = await Assert.ThrowsAsync<MissingInputsException>(() => new SequentialRunner().RunAsync(pipeline, new DataCatalog()));
        Assert.Equal("Pipeline input(s) [a, z] not found in the DataCatalog.", ex.Message);
        Assert.False(ran);
    }

    [Fact]
    public async Task Run_MissingInputs_SuggestCatalogNamesSpelledAlike()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("companies", 1)]);
        catalog.AddParameters(new Dictionary<string, object?> { ["seed"] = 2L });
        var pipeline = new Pipeline([Node.Create((int a, long seed) => a + seed, new[] { "compnies", "params:sead" }, "y", name: "needs")]);

        var ex = await Assert.ThrowsAsync<MissingInputsException>(() => new SequentialRunner().RunAsync(pipeline, catalog));

        Assert.Equal("Pipeline input(s) [compnies, params:sead] not found in the DataCatalog. Did you mean: [companies, params:seed]?", ex.Message);
        Assert.Equal(["compnies", "params:sead"], ex.MissingInputs);
    }

    [Fact]
    public async Task Run_NodesRunInPipelineOrder()
    {
        var order = new List<string>();
        var pipeline = new Pipeline([
            Node.Create((int x) => { order.Add("c"); return x; }, "a", "c1", name: "c"),
            Node.Create((int x) => { order.Add("b"); return x; }, "a", "b1", name: "b"),
            Node.Create((int x, int y) => { order.Add("d"); return x; }, new[] { "b1", "c1" }, "d1", name: "d"),
        ]);
        await new SequentialRunner().RunAsync(pipeline, Catalog());
        Assert.Equal(pipeline.Nodes.Select(n => n.Name), order);
        Assert.Equal(["b", "c", "d"], order);
    }

    [Fact]
    public async Task Run_ReleasesIntermediatesWhenLoadCountReachesZero()
    {
        var events = new ConcurrentQueue<string>();
        var runner = new RecordingRunner(events);
        var pipeline = new Pipeline([
            Node.Create((int a) => a, "a", "x", name: "n1"),
            Node.Create((int x) => x, "x", "y", name: "n2"),
            Node.Create((int x, int y) => x + y, new[] { "x", "y" }, "z", name: "n3"),
        ]);
        var catalog = new DataCatalog();
        catalog.Add("a", new RecordingDataset("a", events, initial: 1, hasInitial: true));
        var result = await runner.RunAsync(pipeline, catalog);
        Assert.Equal(2, result["z"]);
        var log = events.ToArray();
        // x is read by n2 and n3: released only after n3 ran; y right after n3; the input a and output z never.
        Assert.True(Array.IndexOf(log, "release:x") > Array.LastIndexOf(log, "load:x"));
        Assert.Equal(1, log.Count(e => e == "release:x"));
        Assert.Equal(1, log.Count(e => e == "release:y"));
        Assert.DoesNotContain("release:a", log);
        Assert.DoesNotContain("release:z", log);
        Assert.Equal(["load:a", "save:x", "load:x", "save:y", "load:x", "load:y", "save:z", "release:x", "release:y", "load:z"], log);
    }

    [Fact]
    public async Task Run_TranscodedDefaultDatasetsShareData()
    {
        var pipeline = new Pipeline([
            Node.Create((int a) => a * 10, "a", "t@left", name: "w"),
            Node.Create((int t) => t + 1, "t@right", "out", name: "r"),
        ]);
        var result = await new SequentialRunner().RunAsync(pipeline, Catalog());
        Assert.Equal(11, result["out"]);
    }

    [Fact]
    public async Task Run_NestedParametersAndAllParameters()
    {
        var pipeline = new Pipeline([
            Node.Create((double alpha, IReadOnlyDictionary<string, object?> all) => alpha + all.Count, new[] { "params:model.alpha", "parameters" }, "out", name: "n"),
        ]);
        var catalog = new DataCatalog();
        catalog.AddParameters(new Dictionary<string, object?> { ["model"] = new Dictionary<string, object?> { ["alpha"] = 0.5 }, ["seed"] = 1L });
        var result = await new SequentialRunner().RunAsync(pipeline, catalog);
        Assert.Equal(2.5, result["out"]);
    }

    [Fact]
    public async Task Run_TypedParameterRecordsBindFromConfigurationTrees()
    {
        var pipeline = new Pipeline([Node.Create((ModelOptions o) => o.Alpha * o.Features.Count, "params:model", "out", name: "n")]);
        var catalog = new DataCatalog();
        catalog.AddParameters(new Dictionary<string, object?>
        {
            ["model"] = new Dictionary<string, object?> { ["alpha"] = 2.0, ["features"] = new List<object?> { "a", "b", "c" } },
        });
        var result = await new SequentialRunner().RunAsync(pipeline, catalog);
        Assert.Equal(6.0, result["out"]);
    }

    [Fact]
    public async Task Run_ConfirmsDatasetsAfterTheNode()
    {
        var confirmable = new ConfirmableDataset();
        var pipeline = new Pipeline([Node.Create((int a) => a, "a", "b", name: "n", confirms: ["checkpoint"])]);
        var catalog = Catalog();
        catalog.Add("checkpoint", confirmable);
        await new SequentialRunner().RunAsync(pipeline, catalog);
        Assert.Equal(1, confirmable.Confirmed);
    }

    [Fact]
    public async Task Run_DoesNotModifyCallersCatalog()
    {
        var catalog = Catalog();
        await new SequentialRunner().RunAsync(Chain(), catalog);
        Assert.Equal(["a", "parameters", "params:k"], catalog.ListDatasets());
    }

    [Fact]
    public async Task Run_LogsCompletionLikeKedro()
    {
        var logger = new ListLogger<SequentialRunner>();
        await new SequentialRunner(logger: logger).RunAsync(Chain(), Catalog());
        Assert.Contains("Completed node: first", logger.Messages);
        Assert.Contains("Completed 3 out of 3 tasks", logger.Messages);
    }

    [Fact]
    public async Task Run_AsyncModeLoadsInputsConcurrently()
    {
        var gate = new TaskCompletionSource();
        var started = 0;
        var slow = new BlockingDataset(() => { if (Interlocked.Increment(ref started) == 2) { gate.SetResult(); } }, gate.Task);
        var catalog = new DataCatalog();
        catalog.Add("x", slow);
        catalog.Add("y", slow);
        var pipeline = new Pipeline([Node.Create((int x, int y) => x + y, new[] { "x", "y" }, "z", name: "n")]);
        var runner = new SequentialRunner(new RunnerOptions { IsAsync = true });
        var result = await runner.RunAsync(pipeline, catalog).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(14, result["z"]);
    }

    [Fact]
    public async Task Run_ProgressReportsStartedAndCompletedWithCounts()
    {
        var events = new List<NodeProgress>();
        var progress = new SyncProgress(events.Add);
        await new SequentialRunner().RunAsync(Chain(), Catalog(), new RunOptions { Progress = progress });
        Assert.Equal(6, events.Count);
        Assert.Equal(NodeProgressKind.Started, events[0].Kind);
        Assert.Equal("first", events[0].NodeName);
        Assert.Equal(new[] { 1, 2, 3 }, events.Where(e => e.Kind == NodeProgressKind.Completed).Select(e => e.CompletedCount));
        Assert.All(events, e => Assert.Equal(3, e.TotalCount));
        Assert.All(events.Where(e => e.Kind == NodeProgressKind.Completed), e => Assert.True(e.Duration > TimeSpan.Zero));
    }

    [Fact]
    public async Task Run_CancellationStopsAndReachesTheNode()
    {
        using var cts = new CancellationTokenSource();
        var secondRan = false;
        var pipeline = new Pipeline([
            Node.Create(async (int a, CancellationToken ct) => { cts.Cancel(); await Task.Delay(Timeout.Infinite, ct); return a; }, "a", "b", name: "blocks"),
            Node.Create((int b) => { secondRan = true; return b; }, "b", "c", name: "after"),
        ]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SequentialRunner().RunAsync(pipeline, Catalog(), cancellationToken: cts.Token).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(secondRan);
    }

    internal sealed record ModelOptions(double Alpha, List<string> Features);

    private sealed class RecordingRunner(ConcurrentQueue<string> events) : AbstractRunner(null, null)
    {
        public override IDataset CreateDefaultDataset(string datasetName) => new RecordingDataset(datasetName, events, ephemeral: true);

        protected override Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken) => run.ExecuteAsync(1, cancellationToken);
    }

    private sealed class ConfirmableDataset : AbstractDataset<int>, IConfirmableDataset
    {
        public int Confirmed { get; private set; }

        public ValueTask ConfirmAsync(CancellationToken cancellationToken = default)
        {
            Confirmed++;
            return default;
        }

        protected override ValueTask<int> LoadCoreAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0);

        protected override ValueTask SaveCoreAsync(int data, CancellationToken cancellationToken) => default;
    }

    private sealed class BlockingDataset(Action onLoad, Task release) : AbstractDataset<int>
    {
        protected override async ValueTask<int> LoadCoreAsync(CancellationToken cancellationToken)
        {
            onLoad();
            await release.WaitAsync(cancellationToken);
            return 7;
        }

        protected override ValueTask SaveCoreAsync(int data, CancellationToken cancellationToken) => default;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports synchronously (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class SyncProgress(Action<NodeProgress> report) : IProgress<NodeProgress>
{
    private readonly Lock _gate = new();

    public void Report(NodeProgress value)
    {
        lock (_gate)
        {
            report(value);
        }
    }
}
