namespace PipelineRunner.Runners;

/// <summary>What happened to a node.</summary>
public enum NodeProgressKind
{
    /// <summary>The node started loading its inputs.</summary>
    Started,

    /// <summary>The node ran and its outputs were saved.</summary>
    Completed,

    /// <summary>The node failed.</summary>
    Failed,

    /// <summary>The node did not run because a node it depends on failed.</summary>
    Skipped,

    /// <summary>
    /// An attempt of the node failed with a transient error and the node runs again after
    /// <see cref="NodeProgress.RetryDelay"/>; <see cref="NodeProgress.Error"/> is the attempt's error.
    /// </summary>
    Retrying,
}

/// <summary>A progress event of a run, for progress bars and dashboards.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="NodeName">The node's full name.</param>
/// <param name="CompletedCount">Nodes completed so far in this run.</param>
/// <param name="TotalCount">Nodes in the run.</param>
/// <param name="Duration">For completed and failed nodes, the time from start to end; otherwise zero.</param>
/// <param name="Error">For failed nodes and retried attempts, the error.</param>
public sealed record NodeProgress(
    NodeProgressKind Kind,
    string NodeName,
    int CompletedCount,
    int TotalCount,
    TimeSpan Duration,
    Exception? Error = null)
{
    /// <summary>For <see cref="NodeProgressKind.Retrying"/>, the attempt that failed (from 1); otherwise 0.</summary>
    public int Attempt { get; init; }

    /// <summary>For <see cref="NodeProgressKind.Retrying"/>, the wait before the next attempt; otherwise zero.</summary>
    public TimeSpan RetryDelay { get; init; }
}
