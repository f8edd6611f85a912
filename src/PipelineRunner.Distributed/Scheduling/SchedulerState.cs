using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// Runs the scheduler's <see cref="SchedulerMachine"/>: feeds it events under one lock and executes its instructions.
/// Messages and run events are handed, in the machine's order, to the mailboxes of their worker or run (non-blocking
/// channel writes, so under the lock); their streams send them, and copy an assignment's small inputs from the store,
/// outside it. Store I/O (inline outputs, releases) happens after the lock is left. Time comes from the
/// <see cref="TimeProvider"/>; node state changes go to <see cref="SubscribeStateChanges"/>.
/// </summary>
internal sealed partial class SchedulerState
{
    private readonly Lock _gate = new();
    private readonly SchedulerMachine _machine;
    private readonly List<StateChangeSubscription> _subscribers = [];
    private readonly DatasetStore _store;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SchedulerState> _logger;

    public SchedulerState(DatasetStore store, SchedulerOptions options, TimeProvider timeProvider, ILogger<SchedulerState> logger)
    {
        _store = store;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _machine = new SchedulerMachine(options, timeProvider, logger);
    }

    public int WorkerCount
    {
        get
        {
            lock (_gate)
            {
                return _machine.WorkerCount;
            }
        }
    }

    /// <summary>Nodes ready to run that wait for a free worker slot, over all runs.</summary>
    public int ReadyCount
    {
        get
        {
            lock (_gate)
            {
                return _machine.Runs.Sum(run => run.Ready.Count);
            }
        }
    }

    /// <summary>Runs not finished yet.</summary>
    public int RunCount
    {
        get
        {
            lock (_gate)
            {
                return _machine.Runs.Count;
            }
        }
    }

    /// <summary>The connected workers as they are now (for the dashboard): id, slots, busy slots, leaving, last message.</summary>
    public IReadOnlyList<WorkerSnapshot> Workers()
    {
        lock (_gate)
        {
            var workers = new List<WorkerSnapshot>(_machine.Workers.Count);
            foreach (var worker in _machine.Workers)
            {
                workers.Add(new WorkerSnapshot(worker.Id, worker.Concurrency, worker.Running.Count, worker.Leaving, worker.LastSeen, worker.MemoryBytes));
            }

            return workers;
        }
    }

    /// <summary>Adds a run; throws <see cref="ArgumentException"/> for a malformed graph or a repeated run id.</summary>
    public RunState AddRun(SubmitRunRequest request)
    {
        var run = SchedulerMachine.BuildRun(request, _options); // validation and graph building need no lock
        Execute(new SchedulerEvent.RunSubmitted(run));
        return run;
    }

    /// <summary>What <c>pipeline-runner status</c> shows: workers, runs in progress and store use, read under the lock.</summary>
    public StatusResponse Status()
    {
        var response = new StatusResponse
        {
            Store = new StoreStatus { MemoryBytes = _store.MemoryBytes, SpilledBytes = _store.SpilledBytes, LimitBytes = _store.MaxMemoryBytes },
        };
        var now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            foreach (var worker in _machine.Workers)
            {
                response.Workers.Add(new WorkerStatus
                {
                    Id = worker.Id,
                    Slots = worker.Concurrency,
                    Busy = worker.Running.Count,
                    HeartbeatAgeSeconds = _timeProvider.GetElapsedTime(worker.LastHeard, now).TotalSeconds,
                    Leaving = worker.Leaving,
                });
            }

            foreach (var run in _machine.Runs)
            {
                response.Runs.Add(new RunProgress
                {
                    RunId = run.Id,
                    Nodes = run.Nodes.Count,
                    Waiting = run.Count(NodeStatus.Waiting),
                    Ready = run.Count(NodeStatus.Ready),
                    Running = run.Count(NodeStatus.Running),
                    Done = run.Count(NodeStatus.Done),
                    Failed = run.Count(NodeStatus.Failed),
                    Cancelled = run.Count(NodeStatus.Cancelled),
                    Status = run.Status.ToString().ToLowerInvariant(),
                });
            }
        }

        return response;
    }

    public WorkerState AddWorker(string id, int concurrency)
    {
        var worker = new WorkerState(id, Math.Max(1, concurrency)) { LastHeard = _timeProvider.GetTimestamp() };
        Execute(new SchedulerEvent.WorkerJoined(worker));
        return worker;
    }

    /// <summary>A node's attempt failed and is being retried: tell the driver (for its hooks and logs).</summary>
    public void OnRetrying(WorkerState worker, NodeRetrying retrying) => Execute(new SchedulerEvent.RetryReported(worker, retrying));

    /// <summary>The worker is shutting down gracefully: assign it nothing more.</summary>
    public void OnLeave(WorkerState worker) => Execute(new SchedulerEvent.WorkerLeaving(worker));

    /// <summary>
    /// Removes a worker whose stream ended; its running nodes go back to the ready queues. Unless the worker left
    /// gracefully, each counts the death, and a node whose workers died more than
    /// <see cref="SchedulerOptions.AllowedWorkerDeaths"/> times is failed as poisonous instead.
    /// </summary>
    public void RemoveWorker(WorkerState worker) => Execute(new SchedulerEvent.WorkerLost(worker));

    public void OnCompleted(WorkerState worker, NodeCompleted completed) => Execute(new SchedulerEvent.CompletionReported(worker, completed));

    public void OnFailed(WorkerState worker, NodeFailed failed) => Execute(new SchedulerEvent.FailureReported(worker, failed));

    /// <summary>The driver went away or cancelled: drop queued nodes and cancel running ones.</summary>
    /// <returns>Whether the run was still going (it was abandoned rather than finished).</returns>
    public bool CancelRun(RunState run) => Execute(new SchedulerEvent.RunCancelled(run)).Exists(i => i is Instruction.StartLease);

    /// <summary>
    /// A run whose driver went away: after <see cref="SchedulerOptions.DriverLeaseTimeout"/> (by the
    /// <see cref="TimeProvider"/>), releases the store datasets its nodes read or wrote, except those another active
    /// run uses.
    /// </summary>
    public async Task ReleaseAbandonedAsync(RunState run, CancellationToken cancellationToken)
    {
        await Task.Delay(_options.DriverLeaseTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        Execute(new SchedulerEvent.LeaseExpired(run));
    }

    /// <summary>
    /// Subscribes to changes, in order: each run's submission (<see cref="RunSubmittedChange"/>, before its nodes'
    /// changes), node state changes (<see cref="NodeStateChanged"/>) and retries (<see cref="NodeRetryingChange"/>). A subscriber that falls more than <paramref name="capacity"/>
    /// changes behind loses the oldest; dispose the subscription to end it.
    /// </summary>
    public StateChangeSubscription SubscribeStateChanges(int capacity = 10_000)
    {
        var subscription = new StateChangeSubscription(this, capacity);
        lock (_gate)
        {
            _subscribers.Add(subscription);
        }

        return subscription;
    }

    internal void Unsubscribe(StateChangeSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }

    /// <summary>
    /// The message to send for an outbox item: an assignment gets copies of its small store inputs (a copy outlives
    /// any lease), read straight from a spill file if spilled. Runs on the worker's stream, outside the lock; if a file
    /// cannot be read the value is not inlined and the worker's fetch reports the problem.
    /// </summary>
    public SchedulerMessage Prepare(Outgoing item)
    {
        if (item.InlineInputs is { } names && item.Message.Assign is { } assign)
        {
            foreach (var name in names)
            {
                byte[]? copy;
                try
                {
                    _store.TryCopy(name, Wire.InlineLimit, out copy);
                }
                catch (IOException)
                {
                    copy = null;
                }

                if (copy is not null)
                {
                    assign.Inputs.Add(new InlineValue { Name = name, Data = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(copy) });
                }
            }
        }

        return item.Message;
    }

    private List<Instruction> Execute(SchedulerEvent stimulus)
    {
        List<Instruction> instructions;
        List<Instruction>? io = null;
        lock (_gate)
        {
            instructions = _machine.Handle(stimulus);
            foreach (var instruction in instructions)
            {
                switch (instruction)
                {
                    case Instruction.Assign assign:
                        assign.Worker.Outbox.Writer.TryWrite(new Outgoing(new SchedulerMessage { Assign = assign.Message }, assign.InlineInputs));
                        break;
                    case Instruction.Cancel cancel:
                        cancel.Worker.Outbox.Writer.TryWrite(new Outgoing(new SchedulerMessage { Cancel = cancel.Message }, null));
                        break;
                    case Instruction.Emit emit:
                        emit.Run.Events.Writer.TryWrite(emit.Event);
                        break;
                    case Instruction.EndRun end:
                        end.Run.Events.Writer.TryComplete();
                        break;
                    case Instruction.Disconnect disconnect:
                        disconnect.Worker.Outbox.Writer.TryComplete();
                        break;
                    case Instruction.Publish publish:
                        foreach (var subscriber in _subscribers)
                        {
                            subscriber.Write(publish.Change);
                        }

                        break;
                    case Instruction.StoreInline or Instruction.Release:
                        (io ??= []).Add(instruction);
                        break;
                }
            }
        }

        foreach (var instruction in io ?? [])
        {
            switch (instruction)
            {
                case Instruction.StoreInline inline:
                    foreach (var output in inline.Completed.Outputs)
                    {
                        var bytes = output.Data.ToByteArray();
                        _store.Put(output.Name, bytes, bytes.Length);
                    }

                    inline.Completed.Outputs.Clear();
                    Execute(new SchedulerEvent.InlineOutputsStored(inline.Worker, inline.Completed));
                    break;
                case Instruction.Release release:
                    var released = 0;
                    foreach (var name in release.Datasets)
                    {
                        released += _store.Release(name) ? 1 : 0;
                    }

                    Log.AbandonedReleased(_logger, release.RunId, released);
                    break;
            }
        }

        return instructions;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Lease of abandoned run '{RunId}' expired: {Released} store dataset(s) released")]
        public static partial void AbandonedReleased(ILogger logger, string runId, int released);
    }
}

/// <summary>A connected worker as it was when asked (see <see cref="SchedulerState.Workers"/>).</summary>
internal sealed record WorkerSnapshot(string Id, int Slots, int Busy, bool Leaving, DateTimeOffset LastSeen, long MemoryBytes);

/// <summary>A subscriber's feed of node state changes (see <see cref="SchedulerState.SubscribeStateChanges"/>).</summary>
internal sealed class StateChangeSubscription : IDisposable
{
    private readonly SchedulerState _owner;
    private readonly Channel<SchedulerChange> _channel;

    internal StateChangeSubscription(SchedulerState owner, int capacity)
    {
        _owner = owner;
        _channel = Channel.CreateBounded<SchedulerChange>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    }

    /// <summary>The changes, in the order they happened.</summary>
    public ChannelReader<SchedulerChange> Reader => _channel.Reader;

    internal void Write(SchedulerChange change) => _channel.Writer.TryWrite(change);

    /// <summary>Ends the subscription; the reader completes.</summary>
    public void Dispose()
    {
        _owner.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}
