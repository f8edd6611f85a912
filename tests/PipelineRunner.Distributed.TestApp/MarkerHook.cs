using PipelineRunner.Hooks;

namespace PipelineRunner.Distributed.TestApp;

/// <summary>
/// The worker app's own hook (<c>worker --hook-markers DIR</c>): writes a file per node and dataset event into DIR,
/// named after the event and holding the run's session id, so a test can see which process ran which hook.
/// </summary>
public sealed class MarkerHook(string directory) : IRunHook
{
    public ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(NodeRunInfo node, CancellationToken cancellationToken)
    {
        Mark($"before_node.{node.Node.Name}", node.SessionId);
        return default;
    }

    public ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
    {
        Mark($"after_node.{node.Node.Name}", string.Join(",", outputs.Select(o => $"{o.Key}={o.Value}")));
        return default;
    }

    public ValueTask AfterDatasetLoadedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
    {
        Mark($"loaded.{dataset.DatasetName}", $"{data}");
        return default;
    }

    public ValueTask AfterDatasetSavedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
    {
        Mark($"saved.{dataset.DatasetName}", $"{data}");
        return default;
    }

    public ValueTask BeforePipelineRunAsync(PipelineRunInfo run, CancellationToken cancellationToken)
    {
        Mark("before_pipeline", run.SessionId); // never on a worker
        return default;
    }

    private void Mark(string name, string content) => File.WriteAllText(Path.Combine(directory, name), content);
}
