namespace PipelineRunner.Reporting;

/// <summary>How a node's part in a run ended, as a <see cref="PerformanceReport"/> shows it.</summary>
public enum NodeOutcome
{
    /// <summary>The node never started: the run stopped first (a failure with the stop policy, a cancellation).</summary>
    NotRun,

    /// <summary>The node ran and its outputs were saved.</summary>
    Completed,

    /// <summary>The node failed (after its retries, if any).</summary>
    Failed,

    /// <summary>The node did not run because a node it depends on failed (continue policy).</summary>
    Skipped,

    /// <summary>The node started but had not ended when the report was made (a report made during the run).</summary>
    Running,

    /// <summary>The node started and was cancelled with the run.</summary>
    Cancelled,
}

/// <summary>One node's figures in a <see cref="PerformanceReport"/>. Times are zero and bytes null where not measured.</summary>
public sealed record NodePerformance
{
    /// <summary>The node's full name.</summary>
    public required string Name { get; init; }

    /// <summary>How the node's part in the run ended.</summary>
    public NodeOutcome Outcome { get; init; }

    /// <summary>
    /// Where the node ran: a distributed runner's worker id, or <c>thread N</c> (the managed thread id) for an
    /// in-process runner; null when it did not run.
    /// </summary>
    public string? Location { get; init; }

    /// <summary>When the node started, from the start of the run.</summary>
    public TimeSpan Start { get; init; }

    /// <summary>How long the node ran, from its start to its end, retries included (on a worker: as the worker measured it).</summary>
    public TimeSpan WallTime { get; init; }

    /// <summary>
    /// How long the node waited to start once it was ready: from the end of the last node it depends on (or the start
    /// of the run) to its start. Distributed, both ends are the driver's view: the completion and started events it
    /// received.
    /// </summary>
    public TimeSpan QueueWait { get; init; }

    /// <summary>Time spent loading inputs (the load phase of every attempt; concurrent loads count once).</summary>
    public TimeSpan LoadTime { get; init; }

    /// <summary>Time spent saving outputs (every save of every attempt; a node's after-node hooks count here too).</summary>
    public TimeSpan SaveTime { get; init; }

    /// <summary>
    /// Bytes of the inputs, where the datasets know them: a distributed store's serialized size, an unversioned file
    /// dataset's file size; null when no input's size is known (memory datasets, parameters).
    /// </summary>
    public long? LoadBytes { get; init; }

    /// <summary>Bytes of the outputs as saved, where known (as <see cref="LoadBytes"/>); null when unknown.</summary>
    public long? SaveBytes { get; init; }

    /// <summary>Attempts the node took; 0 when it did not run.</summary>
    public int Attempts { get; init; }

    /// <summary>For a failed node, its error (type and message); otherwise null.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the node is on the run's critical path.</summary>
    public bool OnCriticalPath { get; init; }
}
