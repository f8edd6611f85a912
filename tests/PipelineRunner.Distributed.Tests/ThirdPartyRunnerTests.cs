using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// The runner extension point is public: this project sees none of the core's internals, and a runner here does what
/// the distributed runner does — each node executes in a one-node run of its own (as on a worker), and the driver's run
/// keeps completion, releases, progress and failures.
/// </summary>
public sealed class ThirdPartyRunnerTests
{
    /// <summary>Runs the pipeline one generation at a time; each node in a separate one-node run, as a remote worker would.</summary>
    private sealed class RemoteLikeRunner(RunnerOptions? options = null) : AbstractRunner(options, null)
    {
        protected override async Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken)
        {
            List<Node> skipped = [];
            var failed = new HashSet<Node>();
            foreach (var generation in run.Pipeline.Grouped)
            {
                foreach (var node in generation)
                {
                    if (run.Pipeline.DependenciesOf(node).Any(d => failed.Contains(d) || skipped.Contains(d)))
                    {
                        skipped.Add(node);
                        run.RecordSkipped(node);
                        continue;
                    }

                    run.ReportStarted(node);
                    var started = TimeProvider.System.GetTimestamp();
                    var worker = new PipelineRun(new Pipeline([node]), run.Catalog, run.Options, new RunOptions { Hooks = run.Hooks, SessionId = run.SessionId }, "remote-like");
                    try
                    {
                        await worker.RunNodeAsync(node, cancellationToken);
                        await run.CompleteNodeAsync(node, TimeProvider.System.GetElapsedTime(started), cancellationToken);
                    }
                    catch (NodeExecutionException failure)
                    {
                        failed.Add(node);
                        run.RecordFailure(failure, TimeProvider.System.GetElapsedTime(started));
                        if (run.Options.FailurePolicy == NodeFailurePolicy.StopOnFirstFailure)
                        {
                            run.ThrowFailures([]);
                        }
                    }
                }
            }

            run.ThrowFailures(skipped);
        }
    }

    private sealed class ReleaseCountingDataset : AbstractDataset<int>
    {
        private int _value;

        public int Releases { get; private set; }

        protected override ValueTask<int> LoadCoreAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_value);

        protected override ValueTask SaveCoreAsync(int data, CancellationToken cancellationToken)
        {
            _value = data;
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReleaseCoreAsync(CancellationToken cancellationToken)
        {
            Releases++;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NodeHook : IRunHook
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"after:{node.Node.Name}");
            return default;
        }

        public ValueTask AfterPipelineRunAsync(PipelineRunInfo run, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"pipeline:{run.RunnerName}");
            return default;
        }
    }

    private sealed class Reporter(Action<NodeProgress> report) : IProgress<NodeProgress>
    {
        public void Report(NodeProgress value) => report(value);
    }

    private static Pipeline Chain() => new(
    [
        Node.Create((int x) => x + 1, "x", "a", name: "first"),
        Node.Create((int a) => a * 2, "a", "b", name: "second"),
        Node.Create((int b) => b - 3, "b", "y", name: "third"),
    ]);

    [Fact]
    public async Task ARunnerBuiltOnThePublicApi_MatchesTheSequentialRunner_WithHooksReleasesAndProgress()
    {
        var intermediate = new ReleaseCountingDataset();
        var catalog = new DataCatalog();
        catalog.AddValues([new("x", 20)]);
        catalog.Add("a", intermediate);
        var hook = new NodeHook();
        var progress = new ConcurrentQueue<string>();

        var outputs = await new RemoteLikeRunner().RunAsync(
            Chain(),
            catalog,
            new RunOptions { Hooks = [hook], Progress = new Reporter(p => progress.Enqueue($"{p.Kind}:{p.NodeName}")) });
        var expected = await new SequentialRunner().RunAsync(Chain(), CatalogWithX());

        Assert.Equal(expected["y"], outputs["y"]);
        Assert.Equal(39, outputs["y"]);
        Assert.Equal(1, intermediate.Releases); // released once its one consumer completed
        Assert.Equal(["after:first", "after:second", "after:third", "pipeline:RemoteLikeRunner"], hook.Calls);
        Assert.Equal(
            ["Started:first", "Completed:first", "Started:second", "Completed:second", "Started:third", "Completed:third"],
            progress);
    }

    [Fact]
    public async Task ARunnerBuiltOnThePublicApi_ContinuesIndependentNodes_AndReportsEveryFailureAndSkip()
    {
        var pipeline = new Pipeline(
        [
            Node.Create((int x) => x > 0 ? throw new InvalidOperationException("broken") : x, "x", "a", name: "broken"),
            Node.Create((int a) => a, "a", "b", name: "after_broken"),
            Node.Create((int x) => x + 1, "x", "c", name: "independent"),
        ]);

        var error = await Assert.ThrowsAsync<PipelineRunFailedException>(
            () => new RemoteLikeRunner(new RunnerOptions { FailurePolicy = NodeFailurePolicy.ContinueIndependentNodes }).RunAsync(pipeline, CatalogWithX()));

        Assert.Equal("broken", Assert.Single(error.Failures).NodeName);
        Assert.Equal(["after_broken"], error.SkippedNodes);
    }

    private static DataCatalog CatalogWithX()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("x", 20)]);
        return catalog;
    }
}
