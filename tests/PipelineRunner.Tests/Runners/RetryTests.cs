using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Runners;

/// <summary>Node retries: per node and by default, transient failures only, every attempt logged and seen by hooks.</summary>
public sealed class RetryTests
{
    private static readonly RetryPolicy Fast = new() { MaxAttempts = 3, Delay = TimeSpan.FromMilliseconds(1) };

    /// <summary>Records the attempts hooks see, as "event:node:attempt".</summary>
    private sealed class AttemptHook : IRunHook
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(NodeRunInfo node, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"before:{node.Node.Name}:{node.Attempt}");
            return default;
        }

        public ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"after:{node.Node.Name}:{node.Attempt}");
            return default;
        }

        public ValueTask OnNodeErrorAsync(NodeRunInfo node, Exception error, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"error:{node.Node.Name}:{node.Attempt}:{error.GetType().Name}");
            return default;
        }
    }

    /// <summary>A node that throws <paramref name="error"/> for its first <paramref name="failures"/> calls.</summary>
    private static (Node Node, Func<int> Calls) Flaky(int failures, Func<Exception> error, string name = "flaky")
    {
        var calls = 0;
        var node = Node.Create(
            (int x) => Interlocked.Increment(ref calls) <= failures ? throw error() : x * 2,
            "x",
            "y",
            name: name);
        return (node, () => calls);
    }

    private static DataCatalog Catalog()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("x", 21)]);
        return catalog;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TransientFailures_AreRetried_AndEveryAttemptIsLoggedAndSeenByHooks(bool threaded)
    {
        var (node, calls) = Flaky(2, () => new TransientException("the service is busy"));
        var hook = new AttemptHook();
        var logger = new ListLogger<SequentialRunner>();
        AbstractRunner runner = threaded ? new ThreadRunner() : new SequentialRunner(logger: logger);

        var outputs = await runner.RunAsync(new Pipeline([node.WithRetry(Fast)]), Catalog(), new RunOptions { Hooks = [hook] });

        Assert.Equal(42, outputs["y"]);
        Assert.Equal(3, calls());
        Assert.Equal(
            ["before:flaky:1", "error:flaky:1:TransientException", "before:flaky:2", "error:flaky:2:TransientException", "before:flaky:3", "after:flaky:3"],
            hook.Calls);
        if (!threaded)
        {
            Assert.Equal(
                [
                    "Node 'flaky' failed with transient TransientException: the service is busy (attempt 1 of 3); retrying in 1 ms",
                    "Node 'flaky' failed with transient TransientException: the service is busy (attempt 2 of 3); retrying in 2 ms",
                ],
                logger.Messages.Where(m => m.Contains("retrying", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task DeterministicFailures_AreNotRetried()
    {
        var (node, calls) = Flaky(5, () => new InvalidOperationException("bad data"));

        var error = await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(new Pipeline([node.WithRetry(Fast)]), Catalog()));

        Assert.Equal(1, calls());
        Assert.Equal("bad data", error.InnerException!.Message);
    }

    [Fact]
    public async Task ExhaustedAttempts_FailWithTheLastError()
    {
        var (node, calls) = Flaky(10, () => new TransientException("still busy"));

        var error = await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(new Pipeline([node.WithRetry(Fast)]), Catalog()));

        Assert.Equal(3, calls());
        Assert.Equal("flaky", error.NodeName);
        Assert.IsType<TransientException>(error.InnerException);
    }

    [Fact]
    public async Task TheRunnersDefaultPolicy_AppliesToNodesWithoutTheirOwn()
    {
        var (plain, plainCalls) = Flaky(1, () => new TransientException("busy"), "plain");
        var (opted, optedCalls) = Flaky(1, () => new TransientException("busy"), "opted_out");
        var runner = new SequentialRunner(new RunnerOptions { RetryPolicy = Fast });

        var outputs = await runner.RunAsync(new Pipeline([plain]), Catalog());
        var error = await Assert.ThrowsAsync<NodeExecutionException>(() => runner.RunAsync(new Pipeline([opted.WithRetry(RetryPolicy.None)]), Catalog()));

        Assert.Equal(42, outputs["y"]);
        Assert.Equal(2, plainCalls()); // retried once, then succeeded
        Assert.Equal(1, optedCalls()); // its own policy: no retries
        Assert.Equal("opted_out", error.NodeName);
    }

    [Fact]
    public async Task PolicyFor_RetriesTheNamedExceptionType()
    {
        var (node, calls) = Flaky(2, () => new TimeoutException("slow"));
        var outputs = await new SequentialRunner().RunAsync(new Pipeline([node.WithRetry(RetryPolicy.For<TimeoutException>(3, TimeSpan.Zero))]), Catalog());
        Assert.Equal(42, outputs["y"]);
        Assert.Equal(3, calls());
    }

    [Fact]
    public void Backoff_GrowsAndIsCapped_AndInvalidPoliciesAreRefused()
    {
        var policy = new RetryPolicy { Delay = TimeSpan.FromMilliseconds(100), BackoffMultiplier = 3, MaxDelay = TimeSpan.FromMilliseconds(500) };
        Assert.Equal([100, 300, 500], new[] { 1, 2, 3 }.Select(a => policy.DelayAfter(a).TotalMilliseconds));
        Assert.False(policy.ShouldRetry(new TransientException(), 3));
        Assert.True(policy.ShouldRetry(new InvalidOperationException("wrapper", new TransientException()), 1));
        Assert.False(policy.ShouldRetry(new OperationCanceledException(), 1)); // not transient by default
        Assert.True(RetryPolicy.For<TimeoutException>().ShouldRetry(new TaskCanceledException("HttpClient timeout", new TimeoutException()), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy { Delay = TimeSpan.FromMilliseconds(-1) });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy { MaxAttempts = 0 });
        Assert.StartsWith("A retry policy needs at least 1 attempt.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Collects progress events as they are reported (no synchronization context, unlike Progress&lt;T&gt;).</summary>
    private sealed class ProgressList : IProgress<NodeProgress>
    {
        public ConcurrentQueue<NodeProgress> Events { get; } = new();

        public void Report(NodeProgress value) => Events.Enqueue(value);
    }

    [Fact]
    public async Task RetryDelays_WaitOnTheRunnersClock_AndEachRetryIsReportedAsProgress()
    {
        var (node, calls) = Flaky(2, () => new TransientException("busy"));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var progress = new ProgressList();
        var policy = new RetryPolicy { MaxAttempts = 3, Delay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromMinutes(1) };
        var runner = new SequentialRunner(new RunnerOptions { RetryPolicy = policy, TimeProvider = clock });

        var run = runner.RunAsync(new Pipeline([node]), Catalog(), new RunOptions { Progress = progress });
        await WaitUntil(() => progress.Events.Any(e => e.Kind == NodeProgressKind.Retrying));
        await Task.Delay(100);
        Assert.False(run.IsCompleted); // real time passes, the fake clock does not: the retry waits
        Assert.Equal(1, calls());
        // The wait starts just after the retry is reported: advance a second at a time until the next attempt runs.
        Assert.True(await AdvanceUntil(clock, () => calls() == 2) >= TimeSpan.FromSeconds(10));
        Assert.True(await AdvanceUntil(clock, () => calls() == 3) >= TimeSpan.FromSeconds(20));
        var outputs = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(42, outputs["y"]);
        var retries = progress.Events.Where(e => e.Kind == NodeProgressKind.Retrying).ToList();
        Assert.Equal([1, 2], retries.Select(r => r.Attempt));
        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)], retries.Select(r => r.RetryDelay));
        Assert.All(retries, r => Assert.Equal("busy", Assert.IsType<TransientException>(r.Error).Message));
        Assert.Equal(
            [NodeProgressKind.Started, NodeProgressKind.Retrying, NodeProgressKind.Retrying, NodeProgressKind.Completed],
            progress.Events.Select(e => e.Kind));
    }

    /// <summary>Advances the fake clock a second at a time until the condition holds; returns how far it went.</summary>
    private static async Task<TimeSpan> AdvanceUntil(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, Func<bool> condition)
    {
        var advanced = TimeSpan.Zero;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            clock.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
            await Task.Delay(5);
        }

        return advanced;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(5);
        }
    }
}
