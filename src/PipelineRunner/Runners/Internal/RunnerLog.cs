using Microsoft.Extensions.Logging;

namespace PipelineRunner.Runners.Internal;

internal static partial class RunnerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Completed node: {NodeName}")]
    public static partial void CompletedNode(ILogger logger, string nodeName);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Completed {Done} out of {Total} tasks")]
    public static partial void CompletedTasks(ILogger logger, int done, int total);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Failure}")]
    public static partial void NodeFailed(ILogger logger, string failure);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Node '{NodeName}' failed")]
    public static partial void NodeFailedDetail(ILogger logger, string nodeName, Exception exception);

    [LoggerMessage(EventId = 17, Level = LogLevel.Debug, Message = "Node '{NodeName}' must run: {Reason}")]
    public static partial void MustRun(ILogger logger, string nodeName, string reason);

    [LoggerMessage(EventId = 18, Level = LogLevel.Debug, Message = "Node '{NodeName}' can be skipped: its outputs exist and no node that runs needs them")]
    public static partial void CanSkip(ILogger logger, string nodeName);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "Running node: {NodeName}")]
    public static partial void RunningNode(ILogger logger, string nodeName);

    [LoggerMessage(EventId = 15, Level = LogLevel.Debug, Message = "Loading data from {DatasetName} ({DatasetType})...")]
    public static partial void Loading(ILogger logger, string datasetName, string datasetType);

    [LoggerMessage(EventId = 16, Level = LogLevel.Debug, Message = "Saving data to {DatasetName} ({DatasetType})...")]
    public static partial void Saving(ILogger logger, string datasetName, string datasetType);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "There are {Remaining} nodes that have not run.\nYou can resume the pipeline run from the nearest nodes with persisted inputs by adding the following argument to your previous command:\n  --from-nodes \"{FromNodes}\"")]
    public static partial void ResumeSuggestion(ILogger logger, int remaining, string fromNodes);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "No nodes ran. Repeat the previous command to attempt a new run.")]
    public static partial void NoNodesRan(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Pipeline execution completed successfully in {Seconds:F1} sec.")]
    public static partial void RunCompleted(ILogger logger, double seconds);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Asynchronous mode is enabled for loading and saving data.")]
    public static partial void AsyncMode(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Skipping node '{NodeName}' because it depends on failed node(s).")]
    public static partial void SkippedNode(ILogger logger, string nodeName);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Skipping all {Total} nodes (all persistent outputs exist)")]
    public static partial void SkippingAll(ILogger logger, int total);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Skipping {Skipped} nodes with existing outputs: {Names}")]
    public static partial void SkippingSome(ILogger logger, int skipped, string names);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Running {Running} out of {Total} nodes")]
    public static partial void RunningSome(ILogger logger, int running, int total);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Node '{NodeName}' failed with transient {ErrorType}: {ErrorMessage} (attempt {Attempt} of {MaxAttempts}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string nodeName, string errorType, string errorMessage, int attempt, int maxAttempts, double delayMs);

    [LoggerMessage(EventId = 19, Level = LogLevel.Debug, Message = "Generator node '{NodeName}' saved {Chunks} chunk(s)")]
    public static partial void SavedChunks(ILogger logger, string nodeName, int chunks);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Generator node '{NodeName}' failed after saving {Chunks} chunk(s); the saved chunks stay in its output datasets")]
    public static partial void ChunksKeptAfterFailure(ILogger logger, string nodeName, int chunks);
}
