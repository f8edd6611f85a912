using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>Node retries on workers: the node's own policy and the driver's default, with each attempt seen by the hooks where the node runs.</summary>
public sealed class DistributedRetryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private sealed class ErrorHook : IRunHook
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ConcurrentQueue<int> CompletedAttempts { get; } = new();

        public ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
        {
            CompletedAttempts.Enqueue(node.Attempt);
            return default;
        }

        public ValueTask OnNodeErrorAsync(NodeRunInfo node, Exception error, CancellationToken cancellationToken)
        {
            Errors.Enqueue($"{node.Node.Name}:{node.Attempt}:{error.GetType().FullName}:{error.Message}");
            return default;
        }
    }

    private static (Pipeline Pipeline, Func<int> Calls) Flaky(int failures, RetryPolicy? policy)
    {
        var calls = 0;
        var node = Node.Create((int x) => Interlocked.Increment(ref calls) <= failures ? throw new TransientException("busy") : x + 1, "x", "y", name: "flaky");
        return (new Pipeline([policy is null ? node : node.WithRetry(policy)]), () => calls);
    }

    private static DataCatalog Catalog()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("x", 1)]);
        return catalog;
    }

    [Fact]
    public async Task ANodesOwnPolicy_RetriesOnTheWorker_AndTheHooksThereSeeEachFailedAttempt()
    {
        var (pipeline, calls) = Flaky(2, new RetryPolicy { MaxAttempts = 3, Delay = TimeSpan.FromMilliseconds(1) });
        var hook = new ErrorHook();
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 1 });

        var progress = new ConcurrentQueue<NodeProgress>();
        var outputs = await runner.RunAsync(pipeline, Catalog(), new RunOptions { Hooks = [hook], Progress = new Reporter(progress.Enqueue) }).WaitAsync(Timeout);

        Assert.Equal(2, outputs["y"]);
        Assert.Equal(3, calls());
        // The driver's progress sees each retried attempt, with the worker's error.
        var retries = progress.Where(p => p.Kind == NodeProgressKind.Retrying).ToList();
        Assert.Equal([1, 2], retries.Select(r => r.Attempt));
        Assert.Equal([TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2)], retries.Select(r => r.RetryDelay));
        Assert.All(retries, r => Assert.Contains("busy", Assert.IsType<RemoteNodeException>(r.Error).Message, StringComparison.Ordinal));
        Assert.Equal(
            [
                "flaky:1:PipelineRunner.Runners.TransientException:busy",
                "flaky:2:PipelineRunner.Runners.TransientException:busy",
            ],
            hook.Errors); // the local pool's workers call the driver's hook instances, with the node's own exception
        Assert.Equal([3], hook.CompletedAttempts); // the after-run hook sees the attempt that succeeded
    }

    [Fact]
    public async Task TheDriversDefaultPolicy_ReachesTheWorkers()
    {
        var (pipeline, calls) = Flaky(1, null);
        await using var runner = new DistributedRunner(new DistributedRunnerOptions
        {
            LocalWorkers = 1,
            RetryPolicy = new RetryPolicy { MaxAttempts = 2, Delay = TimeSpan.Zero },
        });

        var outputs = await runner.RunAsync(pipeline, Catalog()).WaitAsync(Timeout);

        Assert.Equal(2, outputs["y"]);
        Assert.Equal(2, calls());
    }

    [Fact]
    public async Task WithoutAPolicy_ATransientFailureFailsTheRun()
    {
        var (pipeline, calls) = Flaky(1, null);
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 1 });
        var error = await Assert.ThrowsAsync<NodeExecutionException>(() => runner.RunAsync(pipeline, Catalog()).WaitAsync(Timeout));
        Assert.Equal(1, calls());
        Assert.Equal("PipelineRunner.Runners.TransientException", Assert.IsType<RemoteNodeException>(error.InnerException).RemoteType);
    }

    [Fact]
    public async Task ADefaultPolicyWithACustomPredicate_IsRefused_AsWorkersCannotRunIt()
    {
        var (pipeline, _) = Flaky(0, null);
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 1, RetryPolicy = RetryPolicy.For<TimeoutException>() });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(pipeline, Catalog()).WaitAsync(Timeout));
        Assert.StartsWith("DistributedRunnerOptions.RetryPolicy has a custom IsTransient predicate, which cannot be sent to workers.", error.Message, StringComparison.Ordinal);
    }

    private sealed class Reporter(Action<NodeProgress> report) : IProgress<NodeProgress>
    {
        public void Report(NodeProgress value) => report(value);
    }
}
