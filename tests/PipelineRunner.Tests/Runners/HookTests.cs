using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Runners;

public class HookTests
{
    private sealed class RecordingHook(string id, ConcurrentQueue<string> calls) : IRunHook
    {
        public ValueTask BeforePipelineRunAsync(PipelineRunInfo run, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:before_pipeline:{run.SessionId}:{run.RunnerName}");
            return default;
        }

        public ValueTask AfterPipelineRunAsync(PipelineRunInfo run, IReadOnlyDictionary<string, object?> result, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:after_pipeline:{string.Join(",", result.Keys)}");
            return default;
        }

        public ValueTask OnPipelineErrorAsync(PipelineRunInfo run, Exception error, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:pipeline_error:{error.GetType().Name}");
            return default;
        }

        public ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(NodeRunInfo node, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:before_node:{node.Node.Name}:{string.Join(",", node.Inputs.Select(kv => $"{kv.Key}={kv.Value}"))}");
            return default;
        }

        public ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:after_node:{node.Node.Name}:{string.Join(",", outputs.Select(kv => $"{kv.Key}={kv.Value}"))}");
            return default;
        }

        public ValueTask OnNodeErrorAsync(NodeRunInfo node, Exception error, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:node_error:{node.Node.Name}:{error.Message}");
            return default;
        }

        public ValueTask BeforeDatasetLoadedAsync(DatasetHookInfo dataset, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:before_load:{dataset.DatasetName}:{dataset.Node.Name}");
            return default;
        }

        public ValueTask AfterDatasetLoadedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:after_load:{dataset.DatasetName}={data}");
            return default;
        }

        public ValueTask BeforeDatasetSavedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:before_save:{dataset.DatasetName}={data}");
            return default;
        }

        public ValueTask AfterDatasetSavedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            calls.Enqueue($"{id}:after_save:{dataset.DatasetName}={data}");
            return default;
        }
    }

    private sealed class OverrideHook : IRunHook
    {
        public ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(NodeRunInfo node, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyDictionary<string, object?>?>(new Dictionary<string, object?> { ["a"] = 100 });
    }

    private static DataCatalog Catalog()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        return catalog;
    }

    [Fact]
    public async Task AllHooksFireInKedroOrder()
    {
        var calls = new ConcurrentQueue<string>();
        var pipeline = new Pipeline([Node.Create((int a) => a + 1, "a", "b", name: "inc")]);
        await new SequentialRunner().RunAsync(pipeline, Catalog(), new RunOptions { Hooks = [new RecordingHook("h", calls)], SessionId = "s1" });
        Assert.Equal(
            [
                "h:before_pipeline:s1:SequentialRunner",
                "h:before_load:a:inc",
                "h:after_load:a=1",
                "h:before_node:inc:a=1",
                "h:after_node:inc:b=2",
                "h:before_save:b=2",
                "h:after_save:b=2",
                "h:after_pipeline:b",
            ],
            calls);
    }

    [Fact]
    public async Task SeveralHooksRunInRegistrationOrder()
    {
        var calls = new ConcurrentQueue<string>();
        var pipeline = new Pipeline([Node.Create((int a) => a, "a", "b", name: "n")]);
        await new SequentialRunner().RunAsync(pipeline, Catalog(), new RunOptions { Hooks = [new RecordingHook("1", calls), new RecordingHook("2", calls)] });
        var before = calls.Where(c => c.Contains(":before_pipeline", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, before.Count);
        Assert.StartsWith("1:", before[0]);
        Assert.StartsWith("2:", before[1]);
    }

    [Fact]
    public async Task BeforeNodeRun_CanReplaceInputs()
    {
        var pipeline = new Pipeline([Node.Create((int a) => a + 1, "a", "b", name: "inc")]);
        var result = await new SequentialRunner().RunAsync(pipeline, Catalog(), new RunOptions { Hooks = [new OverrideHook()] });
        Assert.Equal(101, result["b"]);
    }

    [Fact]
    public async Task ErrorHooksFireWithTheOriginalError()
    {
        var calls = new ConcurrentQueue<string>();
        var pipeline = new Pipeline([Node.Create((int a) => a > 0 ? throw new FormatException("nope") : a, "a", "b", name: "bad")]);
        await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(pipeline, Catalog(), new RunOptions { Hooks = [new RecordingHook("h", calls)] }));
        Assert.Contains("h:node_error:bad:nope", calls);
        Assert.Contains("h:pipeline_error:NodeExecutionException", calls);
        Assert.DoesNotContain(calls, c => c.Contains("after_pipeline", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MissingInputs_FailThePipelineThroughItsHooks_LikeKedro()
    {
        var calls = new ConcurrentQueue<string>();
        var pipeline = new Pipeline([Node.Create((int a) => a + 1, "absent", "b", name: "needs_absent")]);
        var error = await Assert.ThrowsAsync<MissingInputsException>(() => new SequentialRunner().RunAsync(pipeline, new DataCatalog(), new RunOptions { Hooks = [new RecordingHook("h", calls)], SessionId = "s1" }));
        Assert.Equal("Pipeline input(s) [absent] not found in the DataCatalog.", error.Message);
        Assert.Equal(["h:before_pipeline:s1:SequentialRunner", "h:pipeline_error:MissingInputsException"], calls);
    }
}
