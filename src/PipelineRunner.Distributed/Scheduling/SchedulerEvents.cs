using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>Something that happened to the scheduler: the input of <see cref="SchedulerMachine.Handle"/>.</summary>
internal abstract record SchedulerEvent
{
    /// <summary>A driver submitted a run, already built and validated by <see cref="SchedulerMachine.BuildRun"/>.</summary>
    public sealed record RunSubmitted(RunState Run) : SchedulerEvent;

    /// <summary>A worker registered on its stream.</summary>
    public sealed record WorkerJoined(WorkerState Worker) : SchedulerEvent;

    /// <summary>A worker said it is shutting down gracefully.</summary>
    public sealed record WorkerLeaving(WorkerState Worker) : SchedulerEvent;

    /// <summary>A worker's stream ended (it died, missed heartbeats, or finished leaving).</summary>
    public sealed record WorkerLost(WorkerState Worker) : SchedulerEvent;

    /// <summary>A worker reported a node completed, possibly with small outputs inline.</summary>
    public sealed record CompletionReported(WorkerState Worker, NodeCompleted Completed) : SchedulerEvent;

    /// <summary>The inline outputs of a completion are in the store (after a <see cref="Instruction.StoreInline"/>).</summary>
    public sealed record InlineOutputsStored(WorkerState Worker, NodeCompleted Completed) : SchedulerEvent;

    /// <summary>A worker reported a node failed.</summary>
    public sealed record FailureReported(WorkerState Worker, NodeFailed Failed) : SchedulerEvent;

    /// <summary>A worker reported a failed attempt it retries.</summary>
    public sealed record RetryReported(WorkerState Worker, NodeRetrying Retrying) : SchedulerEvent;

    /// <summary>The driver cancelled its run or went away (also sent when a run's stream ends normally).</summary>
    public sealed record RunCancelled(RunState Run) : SchedulerEvent;

    /// <summary>The lease of an abandoned run expired: its store datasets may be freed.</summary>
    public sealed record LeaseExpired(RunState Run) : SchedulerEvent;
}

/// <summary>What the caller of <see cref="SchedulerMachine.Handle"/> must do; the machine itself does no I/O.</summary>
internal abstract record Instruction
{
    /// <summary>Send a node to a worker; <paramref name="InlineInputs"/> are store datasets to copy into the message if small.</summary>
    public sealed record Assign(WorkerState Worker, AssignNode Message, string[] InlineInputs) : Instruction;

    /// <summary>Tell a worker to stop running a node.</summary>
    public sealed record Cancel(WorkerState Worker, CancelNode Message) : Instruction;

    /// <summary>Write an event to a run's stream (to its driver).</summary>
    public sealed record Emit(RunState Run, RunEvent Event) : Instruction;

    /// <summary>The run is over: end its event stream.</summary>
    public sealed record EndRun(RunState Run) : Instruction;

    /// <summary>The worker is gone: end its outgoing stream.</summary>
    public sealed record Disconnect(WorkerState Worker) : Instruction;

    /// <summary>Put a completion's inline outputs into the store, then handle <see cref="SchedulerEvent.InlineOutputsStored"/>.</summary>
    public sealed record StoreInline(WorkerState Worker, NodeCompleted Completed) : Instruction;

    /// <summary>The driver went away: start its run's lease (then handle <see cref="SchedulerEvent.LeaseExpired"/>).</summary>
    public sealed record StartLease(RunState Run, IReadOnlyCollection<string> Datasets) : Instruction;

    /// <summary>Free these store datasets.</summary>
    public sealed record Release(string RunId, IReadOnlyCollection<string> Datasets) : Instruction;

    /// <summary>Publish a change (a node's state, a run's submission, a retry) to the state-change subscribers.</summary>
    public sealed record Publish(SchedulerChange Change) : Instruction;
}
