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
}

/// <summary>A progress event of a run, for progress bars and dashboards.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="NodeName">The node's full name.</param>
/// <param name="CompletedCount">Nodes completed so far in this run.</param>
/// <param name="TotalCount">Nodes in the run.</param>
/// <param name="Duration">For completed and failed nodes, the time from start to end; otherwise zero.</param>
/// <param name="Error">For failed nodes, the error.</param>
public sealed record NodeProgress(
    NodeProgressKind Kind,
    string NodeName,
    int CompletedCount,
    int TotalCount,
    TimeSpan Duration,
    Exception? Error = null);
