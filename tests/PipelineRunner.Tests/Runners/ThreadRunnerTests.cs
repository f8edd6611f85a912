using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Runners;

public class ThreadRunnerTests
{
    [Fact]
    public async Task IndependentNodes_RunConcurrently()
    {
        // Each node waits until both have started: only a concurrent runner finishes.
        using var barrier = new Barrier(2);
        int Wait(int a) => barrier.SignalAndWait(TimeSpan.FromSeconds(10)) ? a : throw new TimeoutException("not concurrent");
        var pipeline = new Pipeline([
            Node.Create(Wait, "a", "b", name: "left"),
            Node.Create(Wait, "a", "c", name: "right"),
        ]);
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 3)]);
        var result = await new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 2 }).RunAsync(pipeline, catalog);
        Assert.Equal(3, result["b"]);
        Assert.Equal(3, result["c"]);
    }

    [Fact]
    public async Task BlockingNodes_RunAsManyAtOnceAsAllowed_EachOnItsOwnThread()
    {
        // 16 nodes that block their thread until all 16 have started: with the thread pool (2 threads on a 2-core
        // machine, growing by about one a second) this would time out; the runner's own threads make it immediate.
        const int nodes = 16;
        using var barrier = new Barrier(nodes);
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, string?>();
        int Block(int a)
        {
            threads[Environment.CurrentManagedThreadId] = Thread.CurrentThread.Name;
            return barrier.SignalAndWait(TimeSpan.FromSeconds(3)) ? a : throw new TimeoutException("the blocking nodes did not all run at once");
        }

        var pipeline = new Pipeline(Enumerable.Range(0, nodes).Select(i => Node.Create(Block, "a", $"o{i}", name: $"block{i}")));
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 7)]);
        var result = await new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = nodes }).RunAsync(pipeline, catalog).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(nodes, result.Count);
        Assert.Equal(nodes, threads.Count);
        Assert.All(threads.Values, name => Assert.Equal("PipelineRunner node", name));
    }

    [Fact]
    public async Task ConcurrencyNeverExceedsTheLimit()
    {
        var current = 0;
        var peak = 0;
        async Task<int> Work(int a)
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref peak, now);
            await Task.Delay(5);
            Interlocked.Decrement(ref current);
            return a;
        }

        var pipeline = new Pipeline(Enumerable.Range(0, 30).Select(i => Node.Create(Work, "a", $"o{i}", name: $"n{i}")));
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        var result = await new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 3 }).RunAsync(pipeline, catalog);
        Assert.Equal(30, result.Count);
        Assert.InRange(peak, 1, 3);
    }

    [Fact]
    public void InvalidParallelism_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 0 }));
        Assert.Contains("ThreadRunnerOptions.MaxDegreeOfParallelism must be at least 1, but was 0", ex.Message);
    }

    [Fact]
    public async Task Cancellation_EndsWithOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var pipeline = new Pipeline([
            Node.Create(async (int a, CancellationToken ct) => { await Task.Delay(Timeout.Infinite, ct); return a; }, "a", "b", name: "wait1"),
            Node.Create(async (int a, CancellationToken ct) => { cts.Cancel(); await Task.Delay(Timeout.Infinite, ct); return a; }, "a", "c", name: "wait2"),
        ]);
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 2 }).RunAsync(pipeline, catalog, cancellationToken: cts.Token).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
