namespace PipelineRunner.Distributed.Scheduling;

/// <summary>Where a node of a submitted run is in its life on the scheduler.</summary>
internal enum NodeStatus
{
    /// <summary>Some of its dependencies have not completed.</summary>
    Waiting,

    /// <summary>Queued for dispatch to a worker with a free slot.</summary>
    Ready,

    /// <summary>Assigned to a worker, which is running it.</summary>
    Running,

    /// <summary>Completed (terminal).</summary>
    Done,

    /// <summary>Failed: the node's own exception, an invalid completion, or poisonous (terminal).</summary>
    Failed,

    /// <summary>Will not run or finish: its run stopped, was cancelled, or ended before it could start (terminal).</summary>
    Cancelled,
}

/// <summary>
/// The scheduler's node state machine: every legal transition, with what causes it. Any other transition is a bug
/// in <see cref="SchedulerMachine"/>; events that would need one (a stale or forged report) are refused or ignored
/// before anything changes.
/// </summary>
internal static class NodeTransitions
{
    /// <summary>The table: from, to, and the event that causes it.</summary>
    public static readonly IReadOnlyList<(NodeStatus From, NodeStatus To, string Cause)> Table =
    [
        (NodeStatus.Waiting, NodeStatus.Ready, "its last dependency completed (or it has none)"),
        (NodeStatus.Waiting, NodeStatus.Cancelled, "its run stopped or ended (a dependency failed, or the driver cancelled)"),
        (NodeStatus.Ready, NodeStatus.Running, "assigned to a worker with a free slot (round robin)"),
        (NodeStatus.Ready, NodeStatus.Cancelled, "its run stopped"),
        (NodeStatus.Running, NodeStatus.Done, "its worker reported completion (inline outputs stored first)"),
        (NodeStatus.Running, NodeStatus.Failed, "its worker reported failure or an invalid completion, or more than AllowedWorkerDeaths workers died running it"),
        (NodeStatus.Running, NodeStatus.Ready, "its worker died or left: requeued (a death counts unless the worker left)"),
        (NodeStatus.Running, NodeStatus.Cancelled, "the driver cancelled its run (CancelNode sent), or its worker went away after the run stopped"),
    ];

    private static readonly HashSet<(NodeStatus, NodeStatus)> Allowed = Table.Select(t => (t.From, t.To)).ToHashSet();

    /// <summary>Whether the table has the transition.</summary>
    public static bool IsAllowed(NodeStatus from, NodeStatus to) => Allowed.Contains((from, to));

    /// <summary>Done, Failed and Cancelled have no way out.</summary>
    public static bool IsTerminal(NodeStatus status) => status is NodeStatus.Done or NodeStatus.Failed or NodeStatus.Cancelled;
}

/// <summary>Something the scheduler publishes to <see cref="SchedulerState.SubscribeStateChanges"/> subscribers (dashboards, metrics).</summary>
/// <param name="RunId">The run it concerns.</param>
/// <param name="Time">When, by the scheduler's <see cref="TimeProvider"/>.</param>
internal abstract record SchedulerChange(string RunId, DateTimeOffset Time);

/// <summary>A node changed status: what the scheduler publishes for dashboards and metrics.</summary>
/// <param name="RunId">The node's run.</param>
/// <param name="Node">The node's name.</param>
/// <param name="From">Its status before.</param>
/// <param name="To">Its status after.</param>
/// <param name="Worker">The worker it ran or runs on, if any.</param>
/// <param name="Time">When, by the scheduler's <see cref="TimeProvider"/>.</param>
/// <param name="Failure">For a change to <see cref="NodeStatus.Failed"/>, what its worker reported (error type, message, stack, attempts).</param>
internal sealed record NodeStateChanged(string RunId, string Node, NodeStatus From, NodeStatus To, string? Worker, DateTimeOffset Time, Protocol.NodeFailed? Failure = null)
    : SchedulerChange(RunId, Time);

/// <summary>A run was accepted: its nodes (names, dependencies, datasets), published before any of their state changes.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Nodes">Its nodes as the driver submitted them.</param>
/// <param name="Time">When, by the scheduler's <see cref="TimeProvider"/>.</param>
internal sealed record RunSubmittedChange(string RunId, IReadOnlyList<Protocol.NodeSpec> Nodes, DateTimeOffset Time) : SchedulerChange(RunId, Time);

/// <summary>A running node's attempt failed and its worker retries it (the node stays <see cref="NodeStatus.Running"/>).</summary>
/// <param name="RunId">The node's run.</param>
/// <param name="Node">The node's name.</param>
/// <param name="Retrying">What the worker reported: attempt, error, delay.</param>
/// <param name="Time">When, by the scheduler's <see cref="TimeProvider"/>.</param>
internal sealed record NodeRetryingChange(string RunId, string Node, Protocol.NodeRetrying Retrying, DateTimeOffset Time) : SchedulerChange(RunId, Time);
