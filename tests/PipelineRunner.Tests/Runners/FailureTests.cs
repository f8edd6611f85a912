using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Runners;

public class FailureTests
{
    //  a(file) -> n1 -> b(mem) -> n2 -> c(file) -> n3 -> d(mem) -> n4(fails) -> e
    //  a -> side -> s
    private static Pipeline Linear(Func<int, int> n4) => new([
        Node.Create((int a) => a + 1, "a", "b", name: "n1"),
        Node.Create((int b) => b + 1, "b", "c", name: "n2"),
        Node.Create((int c) => c + 1, "c", "d", name: "n3"),
        Node.Create(n4, "d", "e", name: "n4"),
        Node.Create((int a) => a, "a", "s", name: "side"),
    ]);

    private static DataCatalog PersistedCatalog(ConcurrentQueue<string> events)
    {
        var catalog = new DataCatalog();
        catalog.Add("a", new RecordingDataset("a", events, initial: 1, hasInitial: true));
        catalog.Add("c", new RecordingDataset("c", events));
        return catalog;
    }

    private static int Boom(int x) => throw new InvalidOperationException("bad row 42");

    public static TheoryData<string> Runners => new() { "sequential", "thread1", "thread4" };

    private static AbstractRunner Make(string kind, RunnerOptions options, ListLogger<SequentialRunner>? log = null) => kind switch
    {
        "sequential" => new SequentialRunner(options, log),
        "thread1" => new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 1, FailurePolicy = options.FailurePolicy }),
        _ => new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 4, FailurePolicy = options.FailurePolicy }),
    };

    [Theory]
    [MemberData(nameof(Runners))]
    public async Task NodeFailure_NamesTheNodeAndWrapsTheCause(string kind)
    {
        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() =>
            Make(kind, new RunnerOptions()).RunAsync(Linear(Boom), PersistedCatalog(new())));
        Assert.Equal("n4", ex.NodeName);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal("Node 'n4' failed: InvalidOperationException: bad row 42", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Runners))]
    public async Task NodeFailure_SuggestsResumingFromNearestPersistedInputs(string kind)
    {
        // n3 reads c, which is persisted; n4 reads d, which is in memory: resume from n3.
        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() =>
            Make(kind, new RunnerOptions()).RunAsync(Linear(Boom), PersistedCatalog(new())));
        Assert.Equal(["n3"], ex.ResumeFromNodes);
    }

    [Fact]
    public async Task NodeFailure_LogsKedrosResumeMessage()
    {
        var logger = new ListLogger<SequentialRunner>();
        await Assert.ThrowsAsync<NodeExecutionException>(() =>
            new SequentialRunner(logger: logger).RunAsync(Linear(Boom), PersistedCatalog(new())));
        var message = Assert.Single(logger.Messages, m => m.StartsWith("There are", StringComparison.Ordinal));
        Assert.Equal(
            "There are 1 nodes that have not run.\nYou can resume the pipeline run from the nearest nodes with persisted inputs by adding the following argument to your previous command:\n  --from-nodes \"n3\"",
            message);
    }

    [Fact]
    public async Task NodeFailure_IsOneErrorLine_WithTheStackOnlyAtDebug_AndNodesLoadsAndSavesAreDebugLines()
    {
        var logger = new ListLogger<SequentialRunner>();
        await Assert.ThrowsAsync<NodeExecutionException>(() =>
            new SequentialRunner(logger: logger).RunAsync(Linear(Boom), PersistedCatalog(new())));

        var error = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("Node 'n4' failed: InvalidOperationException: bad row 42", error.Message);
        Assert.Contains((LogLevel.Debug, "Node 'n4' failed"), logger.Entries);
        Assert.Contains((LogLevel.Debug, "Running node: n1"), logger.Entries);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("Loading data from ", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Debug && e.Message.StartsWith("Saving data to ", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Entries, e => e.Level > LogLevel.Debug && e.Message.StartsWith("Running node", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FirstNodeFailure_SaysNoNodesRan()
    {
        var logger = new ListLogger<SequentialRunner>();
        var pipeline = new Pipeline([Node.Create(Boom, "a", "b", name: "n1")]);
        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner(logger: logger).RunAsync(pipeline, PersistedCatalog(new())));
        Assert.Empty(ex.ResumeFromNodes);
        Assert.Contains("No nodes ran. Repeat the previous command to attempt a new run.", logger.Messages);
    }

    [Fact]
    public async Task StopPolicy_StartsNoNodeAfterTheFailure()
    {
        var ran = new ConcurrentBag<string>();
        var pipeline = new Pipeline([
            Node.Create((int a) => Boom(a), "a", "b", name: "a_fails"),
            Node.Create((int a) => { ran.Add("z"); return a; }, "a", "c", name: "z_later"),
        ]);
        await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(pipeline, PersistedCatalog(new())));
        Assert.Empty(ran);
    }

    [Theory]
    [MemberData(nameof(Runners))]
    public async Task ContinuePolicy_RunsIndependentNodesAndReportsAllFailures(string kind)
    {
        var ran = new ConcurrentBag<string>();
        var pipeline = new Pipeline([
            Node.Create((int a) => Boom(a), "a", "b", name: "f1"),
            Node.Create((int b) => { ran.Add("after_f1"); return b; }, "b", "c", name: "after_f1"),
            Node.Create((int a) => { ran.Add("ok1"); return a; }, "a", "d", name: "ok1"),
            Node.Create((int d) => { ran.Add("ok2"); return d; }, "d", "e", name: "ok2"),
            Node.Create((int d) => Boom(d), "d", "f", name: "f2"),
            Node.Create((int f) => { ran.Add("after_f2"); return f; }, "f", "g", name: "after_f2"),
        ]);
        var runner = Make(kind, new RunnerOptions { FailurePolicy = NodeFailurePolicy.ContinueIndependentNodes });
        var ex = await Assert.ThrowsAsync<PipelineRunFailedException>(() => runner.RunAsync(pipeline, PersistedCatalog(new())));
        Assert.Equal(new[] { "f1", "f2" }, ex.Failures.Select(f => f.NodeName).Order());
        Assert.Equal(["after_f1", "after_f2"], ex.SkippedNodes);
        Assert.Equal(new[] { "ok1", "ok2" }, ran.Order());
        Assert.Contains("2 node(s) failed", ex.Message);
        Assert.All(ex.Failures, f => Assert.IsType<InvalidOperationException>(f.InnerException));
    }

    [Fact]
    public async Task ContinuePolicy_ReportsSkippedNodesAsProgress()
    {
        var events = new List<NodeProgress>();
        var pipeline = new Pipeline([
            Node.Create(Boom, "a", "b", name: "f"),
            Node.Create((int b) => b, "b", "c", name: "child"),
        ]);
        var runner = new SequentialRunner(new RunnerOptions { FailurePolicy = NodeFailurePolicy.ContinueIndependentNodes });
        await Assert.ThrowsAsync<PipelineRunFailedException>(() =>
            runner.RunAsync(pipeline, PersistedCatalog(new()), new RunOptions { Progress = new SyncProgress(events.Add) }));
        Assert.Contains(events, e => e is { Kind: NodeProgressKind.Failed, NodeName: "f" } && e.Error is InvalidOperationException);
        Assert.Contains(events, e => e is { Kind: NodeProgressKind.Skipped, NodeName: "child" });
    }

    [Fact]
    public async Task DatasetLoadFailure_NamesDatasetAndNode()
    {
        var catalog = new DataCatalog();
        catalog.Add("a", new RecordingDataset("a", new()));
        var pipeline = new Pipeline([Node.Create((int a) => a, "a", "b", name: "reader")]);
        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(pipeline, catalog));
        Assert.Equal("reader", ex.NodeName);
        var inner = Assert.IsType<DatasetException>(ex.InnerException);
        Assert.Contains("Failed while loading data from dataset 'a'", inner.Message);
        Assert.Contains("a is empty", inner.Message);
    }
}
