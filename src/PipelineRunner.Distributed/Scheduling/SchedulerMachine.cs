using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The scheduler's pure core, modelled on dask's worker state machine: submitted runs (nodes with a
/// <see cref="NodeStatus"/> moving only along <see cref="NodeTransitions.Table"/>), connected workers with free slots,
/// and dispatch. <see cref="Handle"/> turns an event into <see cref="Instruction"/>s and does no I/O: no store access,
/// no channel writes, no waiting; it reads time only from the injected <see cref="TimeProvider"/>. It is not
/// thread-safe: <see cref="SchedulerState"/> calls it under its lock and executes the instructions.
/// </summary>
internal sealed partial class SchedulerMachine(SchedulerOptions options, TimeProvider timeProvider, ILogger logger)
{
    private readonly Dictionary<string, RunState> _runs = new(StringComparer.Ordinal);
    private readonly List<WorkerState> _workers = [];
    private int _nextWorker;

    public int WorkerCount => _workers.Count;

    /// <summary>Connected workers, in the order they joined.</summary>
    public IReadOnlyList<WorkerState> Workers => _workers;

    /// <summary>Runs not finished yet.</summary>
    public IReadOnlyCollection<RunState> Runs => _runs.Values;

    /// <summary>
    /// Handles one event. A client's invalid request (a repeated run id) throws before anything changes; a stale or
    /// forged worker report is ignored (at most the worker's slot is freed).
    /// </summary>
    /// <exception cref="ArgumentException">A repeated run id.</exception>
    public List<Instruction> Handle(SchedulerEvent stimulus)
    {
        var output = new List<Instruction>();
        switch (stimulus)
        {
            case SchedulerEvent.RunSubmitted e: OnRunSubmitted(e.Run, output); break;
            case SchedulerEvent.WorkerJoined e: OnWorkerJoined(e.Worker, output); break;
            case SchedulerEvent.WorkerLeaving e: OnWorkerLeaving(e.Worker); break;
            case SchedulerEvent.WorkerLost e: OnWorkerLost(e.Worker, output); break;
            case SchedulerEvent.CompletionReported e: OnCompletion(e.Worker, e.Completed, output); break;
            case SchedulerEvent.InlineOutputsStored e: OnCompletion(e.Worker, e.Completed, output); break;
            case SchedulerEvent.FailureReported e: OnFailure(e.Worker, e.Failed, output); break;
            case SchedulerEvent.RetryReported e: OnRetry(e.Worker, e.Retrying, output); break;
            case SchedulerEvent.RunCancelled e: OnRunCancelled(e.Run, output); break;
            case SchedulerEvent.LeaseExpired e: OnLeaseExpired(e.Run, output); break;
            default: throw new ArgumentOutOfRangeException(nameof(stimulus), stimulus, "Unknown scheduler event.");
        }

        return output;
    }

    private void OnRunSubmitted(RunState run, List<Instruction> output)
    {
        if (!_runs.TryAdd(run.Id, run))
        {
            throw new ArgumentException($"A run with id '{run.Id}' is already running.");
        }

        output.Add(new Instruction.Publish(new RunSubmittedChange(run.Id, [.. run.Nodes.Values.Select(n => n.Spec)], timeProvider.GetUtcNow())));

        foreach (var node in run.Nodes.Values)
        {
            if (node.Pending == 0)
            {
                MakeReady(node, output);
            }
        }

        FinishIfDone(run, output);
        Dispatch(output);
    }

    private void OnWorkerJoined(WorkerState worker, List<Instruction> output)
    {
        _workers.Add(worker);
        Dispatch(output);
        Log.WorkerConnected(logger, worker.Id, worker.Concurrency);
    }

    private void OnWorkerLeaving(WorkerState worker)
    {
        worker.Leaving = true;
        Log.WorkerLeaving(logger, worker.Id, worker.Running.Count);
    }

    private void OnWorkerLost(WorkerState worker, List<Instruction> output)
    {
        if (!_workers.Remove(worker))
        {
            return; // already removed: nothing left to requeue
        }

        var requeued = 0;
        foreach (var node in worker.Running)
        {
            node.Worker = null;
            if (node.Status != NodeStatus.Running)
            {
                continue; // its run was cancelled: the node is Cancelled already
            }

            var run = node.Run;
            if (run.Status != RunStatus.Active)
            {
                Transition(node, NodeStatus.Cancelled, worker, output);
                FinishIfDone(run, output);
                continue;
            }

            if (!worker.Leaving)
            {
                node.DeadWorkers.Add(worker.Id);
            }

            if (node.DeadWorkers.Count > options.AllowedWorkerDeaths)
            {
                Poison(node, worker, output);
            }
            else
            {
                Transition(node, NodeStatus.Ready, worker, output);
                run.Ready.Enqueue(node);
                requeued++;
            }
        }

        worker.Running.Clear();
        output.Add(new Instruction.Disconnect(worker));
        Dispatch(output);
        if (worker.Leaving)
        {
            Log.WorkerLeft(logger, worker.Id, requeued);
        }
        else
        {
            Log.WorkerDisconnected(logger, worker.Id, requeued);
        }
    }

    private void Poison(NodeState node, WorkerState worker, List<Instruction> output)
    {
        var run = node.Run;
        var message = $"Node '{node.Spec.Name}' was running on {node.DeadWorkers.Count} workers that died ({string.Join(", ", node.DeadWorkers)}); "
            + $"it is failed as poisonous instead of being run again (SchedulerOptions.AllowedWorkerDeaths = {options.AllowedWorkerDeaths}). "
            + "Its execution probably kills the worker process: look for a crash, an out-of-memory kill or Environment.Exit in it.";
        Log.NodePoisoned(logger, node.Spec.Name, node.DeadWorkers.Count);
        var failed = new NodeFailed
        {
            RunId = run.Id,
            Node = node.Spec.Name,
            Worker = node.DeadWorkers[^1],
            ErrorType = typeof(PoisonNodeException).FullName,
            Message = message,
            Poisoned = true,
        };
        Transition(node, NodeStatus.Failed, worker, output, failed);
        output.Add(new Instruction.Emit(run, new RunEvent { Failed = failed }));
        if (!run.ContinueOnFailure)
        {
            Stop(run, output);
        }

        FinishIfDone(run, output);
    }

    /// <summary>
    /// A completion: with inline outputs, they are checked and stored first (<see cref="Instruction.StoreInline"/>),
    /// so dependents always find them; without (or once stored), the node is done and its dependents may start.
    /// </summary>
    private void OnCompletion(WorkerState worker, NodeCompleted completed, List<Instruction> output)
    {
        if (TakeSlot(worker, completed.RunId, completed.Node, keep: completed.Outputs.Count > 0, output) is not { } node)
        {
            return;
        }

        var run = node.Run;
        if (completed.Outputs.Count > 0)
        {
            var storeDatasets = node.Spec.Datasets.Where(d => d.DefinitionJson.Length == 0).Select(d => StoreKey(d.Name)).ToHashSet(StringComparer.Ordinal);
            var invalid = completed.Outputs.FirstOrDefault(o => !storeDatasets.Contains(o.Name) || o.Data.Length > Wire.InlineLimit);
            if (invalid is null)
            {
                output.Add(new Instruction.StoreInline(worker, completed));
                return; // still Running until the outputs are stored
            }

            Log.InvalidCompletion(logger, worker.Id, completed.Node, Shorten(invalid.Name), invalid.Data.Length);
            FreeSlot(worker, node);
            Fail(node, worker, new NodeFailed
            {
                RunId = completed.RunId,
                Node = completed.Node,
                Worker = worker.Id,
                ErrorType = typeof(InvalidOperationException).FullName,
                Message = $"Worker '{worker.Id}' reported an inline output '{Shorten(invalid.Name)}' of {invalid.Data.Length} bytes for node '{completed.Node}', which is not one of the node's store datasets or exceeds {Wire.InlineLimit} bytes.",
            }, output);
            return;
        }

        Transition(node, NodeStatus.Done, worker, output);
        output.Add(new Instruction.Emit(run, new RunEvent { Completed = completed }));
        if (run.Status == RunStatus.Active)
        {
            foreach (var dependent in node.Dependents)
            {
                if (--dependent.Pending == 0)
                {
                    MakeReady(dependent, output);
                }
            }
        }

        FinishIfDone(run, output);
        Dispatch(output);
    }

    private void OnFailure(WorkerState worker, NodeFailed failed, List<Instruction> output)
    {
        if (TakeSlot(worker, failed.RunId, failed.Node, keep: false, output) is { } node)
        {
            Fail(node, worker, failed, output);
        }
    }

    private void Fail(NodeState node, WorkerState worker, NodeFailed failed, List<Instruction> output)
    {
        var run = node.Run;
        Transition(node, NodeStatus.Failed, worker, output, failed);
        output.Add(new Instruction.Emit(run, new RunEvent { Failed = failed }));
        if (!run.ContinueOnFailure)
        {
            Stop(run, output); // no new node of this run starts after a failure
        }

        FinishIfDone(run, output);
        Dispatch(output);
    }

    private void OnRetry(WorkerState worker, NodeRetrying retrying, List<Instruction> output)
    {
        if (FindRunning(worker, retrying.RunId, retrying.Node) is { Status: NodeStatus.Running } node)
        {
            retrying.Worker = worker.Id;
            output.Add(new Instruction.Emit(node.Run, new RunEvent { Retrying = retrying }));
            output.Add(new Instruction.Publish(new NodeRetryingChange(node.Run.Id, node.Spec.Name, retrying, timeProvider.GetUtcNow())));
        }
    }

    private void OnRunCancelled(RunState run, List<Instruction> output)
    {
        if (run.Status == RunStatus.Finished)
        {
            return;
        }

        Stop(run, output);
        foreach (var worker in _workers)
        {
            foreach (var node in worker.Running)
            {
                if (node.Run == run && node.Status == NodeStatus.Running)
                {
                    output.Add(new Instruction.Cancel(worker, new CancelNode { RunId = run.Id, Node = node.Spec.Name }));
                    Transition(node, NodeStatus.Cancelled, worker, output); // its slot is freed when the worker reports or leaves
                }
            }
        }

        Finish(run, output);
        var datasets = run.Nodes.Values
            .SelectMany(n => n.Spec.Datasets)
            .Where(d => d.DefinitionJson.Length == 0)
            .Select(d => StoreKey(d.Name))
            .ToHashSet(StringComparer.Ordinal);
        run.LeasedDatasets = datasets;
        output.Add(new Instruction.StartLease(run, datasets));
        Log.RunAbandoned(logger, run.Id, datasets.Count, options.DriverLeaseTimeout.TotalSeconds);
    }

    private void OnLeaseExpired(RunState run, List<Instruction> output)
    {
        if (run.LeasedDatasets is null)
        {
            return;
        }

        var names = new HashSet<string>(run.LeasedDatasets, StringComparer.Ordinal);
        run.LeasedDatasets = null;
        foreach (var active in _runs.Values)
        {
            names.ExceptWith(active.Nodes.Values.SelectMany(n => n.Spec.Datasets).Select(d => d.Name));
        }

        output.Add(new Instruction.Release(run.Id, names));
    }

    /// <summary>Finds the node a worker reports on and frees its slot (unless <paramref name="keep"/>); null if stale or not Running.</summary>
    private NodeState? TakeSlot(WorkerState worker, string runId, string nodeName, bool keep, List<Instruction> output)
    {
        var node = FindRunning(worker, runId, nodeName);
        if (node is null)
        {
            return null; // a stale or forged report: the node was requeued elsewhere
        }

        if (node.Status != NodeStatus.Running)
        {
            // Its run was cancelled: free the slot so slots never leak, and drop what it reported.
            FreeSlot(worker, node);
            Dispatch(output);
            return null;
        }

        if (!keep)
        {
            FreeSlot(worker, node);
        }

        return node;
    }

    private static void FreeSlot(WorkerState worker, NodeState node)
    {
        worker.Running.Remove(node);
        node.Worker = null;
    }

    private static NodeState? FindRunning(WorkerState worker, string runId, string nodeName)
    {
        foreach (var node in worker.Running)
        {
            if (node.Spec.Name == nodeName && node.Run.Id == runId)
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>A node whose dependencies completed: queued for dispatch.</summary>
    private void MakeReady(NodeState node, List<Instruction> output)
    {
        Transition(node, NodeStatus.Ready, null, output);
        node.Run.Ready.Enqueue(node);
    }

    /// <summary>No new node of the run starts: queued and waiting nodes are cancelled; running ones go on.</summary>
    private void Stop(RunState run, List<Instruction> output)
    {
        if (run.Status != RunStatus.Active)
        {
            return;
        }

        run.Status = RunStatus.Stopped;
        run.Ready.Clear();
        foreach (var node in run.Nodes.Values)
        {
            if (node.Status is NodeStatus.Waiting or NodeStatus.Ready)
            {
                Transition(node, NodeStatus.Cancelled, null, output);
            }
        }
    }

    private void FinishIfDone(RunState run, List<Instruction> output)
    {
        if (run.Status != RunStatus.Finished && run.Count(NodeStatus.Ready) + run.Count(NodeStatus.Running) == 0)
        {
            Finish(run, output);
        }
    }

    /// <summary>The run is over; nodes that can never run now (dependents of a failed node) are cancelled.</summary>
    private void Finish(RunState run, List<Instruction> output)
    {
        if (run.Count(NodeStatus.Waiting) > 0)
        {
            foreach (var node in run.Nodes.Values)
            {
                if (node.Status == NodeStatus.Waiting)
                {
                    Transition(node, NodeStatus.Cancelled, null, output);
                }
            }
        }

        run.Ready.Clear();
        run.Status = RunStatus.Finished;
        _runs.Remove(run.Id);
        output.Add(new Instruction.EndRun(run));
    }

    private void Transition(NodeState node, NodeStatus to, WorkerState? worker, List<Instruction> output, NodeFailed? failure = null)
    {
        var from = node.Status;
        if (!NodeTransitions.IsAllowed(from, to))
        {
            throw new InvalidOperationException($"Scheduler bug: node '{node.Spec.Name}' of run '{node.Run.Id}' cannot go from {from} to {to}.");
        }

        node.Run.Moved(from, to);
        node.Status = to;
        output.Add(new Instruction.Publish(new NodeStateChanged(node.Run.Id, node.Spec.Name, from, to, worker?.Id, timeProvider.GetUtcNow(), failure)));
    }

    /// <summary>Assigns ready nodes to free worker slots, taking runs in turn.</summary>
    private void Dispatch(List<Instruction> output)
    {
        if (_workers.Count == 0 || _runs.Count == 0)
        {
            return;
        }

        var assigned = true;
        while (assigned)
        {
            assigned = false;
            foreach (var run in _runs.Values)
            {
                if (run.Status != RunStatus.Active || !run.Ready.TryPeek(out var node))
                {
                    continue;
                }

                var worker = NextFreeWorker();
                if (worker is null)
                {
                    return;
                }

                run.Ready.Dequeue();
                node.Worker = worker;
                worker.Running.Add(node);
                Transition(node, NodeStatus.Running, worker, output);
                var assign = new AssignNode { RunId = run.Id, Node = node.Spec, SessionId = run.SessionId, TraceParent = run.TraceParent, Measure = run.Measure };
                output.Add(new Instruction.Assign(worker, assign, [.. node.Spec.StoreInputs.Select(StoreKey).Distinct(StringComparer.Ordinal)]));
                if (run.ReportStarted)
                {
                    output.Add(new Instruction.Emit(run, new RunEvent { Started = new NodeStarted { RunId = run.Id, Node = node.Spec.Name, Worker = worker.Id } }));
                }

                assigned = true;
            }
        }
    }

    private WorkerState? NextFreeWorker()
    {
        for (var i = 0; i < _workers.Count; i++)
        {
            var worker = _workers[(_nextWorker + i) % _workers.Count];
            if (!worker.Leaving && worker.Running.Count < worker.Concurrency)
            {
                _nextWorker = (_nextWorker + i + 1) % _workers.Count;
                return worker;
            }
        }

        return null;
    }

    /// <summary>Builds a run's graph from its request; throws <see cref="ArgumentException"/> for a malformed one. Pure: no lock needed.</summary>
    /// <summary>
    /// The store key of a dataset name: transcoded names (<c>x@a</c>, <c>x@b</c>) are one dataset, stored once under the
    /// name without transcoding, by drivers and workers alike.
    /// </summary>
    public static string StoreKey(string datasetName) => Pipelines.DatasetNames.StripTranscoding(datasetName);

    public static RunState BuildRun(SubmitRunRequest request, SchedulerOptions options)
    {
        if (request.RunId.Length is 0 or > 128)
        {
            throw new ArgumentException($"A run id must have 1 to 128 characters, got {request.RunId.Length}.");
        }

        if (request.Nodes.Count > options.MaxNodesPerRun)
        {
            throw new ArgumentException($"Run '{request.RunId}' has {request.Nodes.Count} nodes; the scheduler accepts at most {options.MaxNodesPerRun} (SchedulerOptions.MaxNodesPerRun).");
        }

        var run = new RunState(request.RunId, request.ContinueOnFailure, request.ReportStarted) { SessionId = request.SessionId, TraceParent = request.TraceParent, Measure = request.Measure };
        foreach (var spec in request.Nodes)
        {
            if (string.IsNullOrEmpty(spec.Name) || spec.Name.Length > 1024 || !run.Nodes.TryAdd(spec.Name, new NodeState(spec, run)))
            {
                throw new ArgumentException($"Run '{request.RunId}' has an empty, over-long (over 1024 characters) or repeated node name '{Shorten(spec.Name)}'.");
            }

            foreach (var dataset in spec.Datasets)
            {
                Pipelines.DatasetNames.Validate(dataset.Name, $"node '{spec.Name}' of run '{request.RunId}'");
                if (dataset.DefinitionJson.Length > 64 * 1024)
                {
                    throw new ArgumentException($"Dataset '{dataset.Name}' of node '{spec.Name}' has a definition of {dataset.DefinitionJson.Length} characters; at most 65536 are accepted.");
                }

                if (dataset.DefinitionJson.Length > 0)
                {
                    try
                    {
                        using var json = System.Text.Json.JsonDocument.Parse(dataset.DefinitionJson);
                    }
                    catch (System.Text.Json.JsonException ex)
                    {
                        throw new ArgumentException($"Dataset '{dataset.Name}' of node '{spec.Name}' has a definition that is not JSON: {ex.Message}", ex);
                    }
                }
            }

            if (spec.StoreInputs.Except(spec.Datasets.Select(d => d.Name)).FirstOrDefault() is { } unknown)
            {
                throw new ArgumentException($"Node '{spec.Name}' of run '{request.RunId}' reads input '{Shorten(unknown)}' that is not among its datasets.");
            }
        }

        foreach (var node in run.Nodes.Values)
        {
            foreach (var dependency in node.Spec.Dependencies)
            {
                if (!run.Nodes.TryGetValue(dependency, out var parent))
                {
                    throw new ArgumentException($"Node '{node.Spec.Name}' of run '{request.RunId}' depends on unknown node '{dependency}'.");
                }

                parent.Dependents.Add(node);
                node.Pending++;
            }
        }

        RejectCycles(run);
        return run;
    }

    /// <summary>A run whose dependencies form a cycle could never finish: refuse it, naming nodes on the cycle.</summary>
    private static void RejectCycles(RunState run)
    {
        var pending = run.Nodes.Values.ToDictionary(n => n, n => n.Pending);
        var ready = new Queue<NodeState>(pending.Where(p => p.Value == 0).Select(p => p.Key));
        var reached = 0;
        while (ready.TryDequeue(out var node))
        {
            reached++;
            foreach (var dependent in node.Dependents)
            {
                if (--pending[dependent] == 0)
                {
                    ready.Enqueue(dependent);
                }
            }
        }

        if (reached < run.Nodes.Count)
        {
            var stuck = pending.Where(p => p.Value > 0).Select(p => p.Key.Spec.Name).Order(StringComparer.Ordinal).Take(10);
            throw new ArgumentException($"Run '{run.Id}' has circular dependencies among nodes such as [{string.Join(", ", stuck)}].");
        }
    }

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    // Logged under the SchedulerState category (the logger passed in), whose event ids and messages are stable.
    private static partial class Log
    {
        [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Worker '{WorkerId}' reported an invalid inline output '{Name}' ({Length} bytes) for node '{NodeName}'; the node is failed")]
        public static partial void InvalidCompletion(ILogger logger, string workerId, string nodeName, string name, int length);

        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Worker '{WorkerId}' connected with {Concurrency} slot(s)")]
        public static partial void WorkerConnected(ILogger logger, string workerId, int concurrency);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Worker '{WorkerId}' disconnected; {Requeued} running node(s) requeued")]
        public static partial void WorkerDisconnected(ILogger logger, string workerId, int requeued);

        [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Worker '{WorkerId}' is leaving gracefully with {Running} node(s) running; it gets no new nodes")]
        public static partial void WorkerLeaving(ILogger logger, string workerId, int running);

        [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Worker '{WorkerId}' left; {Requeued} node(s) it handed back were requeued")]
        public static partial void WorkerLeft(ILogger logger, string workerId, int requeued);

        [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "The driver of run '{RunId}' went away: its nodes are cancelled, and its {Count} store dataset(s) are released after a lease of {Seconds} s")]
        public static partial void RunAbandoned(ILogger logger, string runId, int count, double seconds);

        [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Node '{NodeName}' failed as poisonous: {Deaths} workers died running it")]
        public static partial void NodePoisoned(ILogger logger, string nodeName, int deaths);
    }
}

/// <summary>A run's own life: Active, then Stopped (no new node starts; running ones finish), then Finished.</summary>
internal enum RunStatus
{
    Active,
    Stopped,
    Finished,
}

internal sealed class RunState(string id, bool continueOnFailure, bool reportStarted)
{
    private readonly int[] _counts = new int[Enum.GetValues<NodeStatus>().Length];

    /// <summary>The driver's session id, passed on with each assignment for the workers' node hooks.</summary>
    public string SessionId { get; init; } = string.Empty;

    /// <summary>The W3C trace context workers' node spans join (the scheduler's span of the run); empty when untraced.</summary>
    public string TraceParent { get; init; } = string.Empty;

    /// <summary>The driver records a performance report: assignments ask workers to time and size loads and saves.</summary>
    public bool Measure { get; init; }

    public string Id { get; } = id;

    public bool ContinueOnFailure { get; } = continueOnFailure;

    public bool ReportStarted { get; } = reportStarted;

    public RunStatus Status { get; set; }

    public Dictionary<string, NodeState> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes in <see cref="NodeStatus.Ready"/>, in dispatch order.</summary>
    public Queue<NodeState> Ready { get; } = new();

    /// <summary>The run's events for its driver (written by <see cref="SchedulerState"/>).</summary>
    public Channel<RunEvent> Events { get; } = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Store datasets to free when the lease of this abandoned run expires.</summary>
    public IReadOnlyCollection<string>? LeasedDatasets { get; set; }

    /// <summary>How many of the run's nodes are in a status.</summary>
    public int Count(NodeStatus status) => status == NodeStatus.Waiting ? Nodes.Count - _counts.Skip(1).Sum() : _counts[(int)status];

    internal void Moved(NodeStatus from, NodeStatus to)
    {
        if (from != NodeStatus.Waiting)
        {
            _counts[(int)from]--;
        }

        _counts[(int)to]++;
    }
}

internal sealed class NodeState(NodeSpec spec, RunState run)
{
    public NodeSpec Spec { get; } = spec;

    public RunState Run { get; } = run;

    public NodeStatus Status { get; set; }

    public List<NodeState> Dependents { get; } = [];

    /// <summary>Dependencies not completed yet.</summary>
    public int Pending { get; set; }

    public WorkerState? Worker { get; set; }

    /// <summary>Workers that died while running this node.</summary>
    public List<string> DeadWorkers { get; } = [];
}

internal sealed class WorkerState(string id, int concurrency)
{
    public string Id { get; } = id;

    public int Concurrency { get; } = concurrency;

    /// <summary>Nodes occupying a slot: Running ones, and Cancelled ones until the worker reports on them.</summary>
    public HashSet<NodeState> Running { get; } = [];

    /// <summary>When the worker last sent anything (registration, heartbeat, report), by the scheduler's clock; set by its stream.</summary>
    public DateTimeOffset LastSeen { get; set; }

    /// <summary>The worker process's working set in bytes, from its last heartbeat; 0 until one arrives.</summary>
    public long MemoryBytes
    {
        get => Volatile.Read(ref _memoryBytes);
        set => Volatile.Write(ref _memoryBytes, value);
    }

    private long _memoryBytes;

    /// <summary>The worker said it is shutting down: it gets no new nodes, and what it hands back is not a death.</summary>
    public bool Leaving { get; set; }

    /// <summary>When the scheduler last heard from the worker (a <see cref="TimeProvider"/> timestamp), for status.</summary>
    public long LastHeard
    {
        get => Volatile.Read(ref _lastHeard);
        set => Volatile.Write(ref _lastHeard, value);
    }

    private long _lastHeard;

    /// <summary>Messages for the worker, in order; an assignment's inline inputs are copied in by the sender.</summary>
    public Channel<Outgoing> Outbox { get; } = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
}

/// <summary>A message for a worker; for an assignment, the store datasets to inline if small.</summary>
internal readonly record struct Outgoing(SchedulerMessage Message, string[]? InlineInputs);
