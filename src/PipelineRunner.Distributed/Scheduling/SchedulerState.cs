using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Storage;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The scheduler's graph state: submitted runs (node futures with dependency counts), connected workers with free
/// slots, and dispatch of ready nodes to workers. Holds no user code or types: node names, edges and dataset specs.
/// One lock guards it all; dispatch is a few dictionary and queue operations per node.
/// </summary>
internal sealed partial class SchedulerState(DatasetStore store, ILogger<SchedulerState> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RunState> _runs = new(StringComparer.Ordinal);
    private readonly List<WorkerState> _workers = [];
    private int _nextWorker;

    public int WorkerCount
    {
        get
        {
            lock (_gate)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>Adds a run; throws <see cref="ArgumentException"/> for a malformed graph.</summary>
    public RunState AddRun(SubmitRunRequest request)
    {
        var run = new RunState(request.RunId, request.ContinueOnFailure, request.ReportStarted);
        foreach (var spec in request.Nodes)
        {
            if (string.IsNullOrEmpty(spec.Name) || !run.Nodes.TryAdd(spec.Name, new NodeState(spec)))
            {
                throw new ArgumentException($"Run '{request.RunId}' has an empty or repeated node name '{spec.Name}'.");
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
        lock (_gate)
        {
            if (!_runs.TryAdd(run.Id, run))
            {
                throw new ArgumentException($"A run with id '{run.Id}' is already running.");
            }

            foreach (var spec in request.Nodes)
            {
                var node = run.Nodes[spec.Name];
                if (node.Pending == 0)
                {
                    run.Ready.Enqueue(node);
                }
            }

            if (run.Nodes.Count == 0)
            {
                run.Events.Writer.TryComplete();
            }

            DispatchLocked();
        }

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

    public WorkerState AddWorker(string id, int concurrency)
    {
        var worker = new WorkerState(id, Math.Max(1, concurrency));
        lock (_gate)
        {
            _workers.Add(worker);
            DispatchLocked();
        }

        Log.WorkerConnected(logger, id, worker.Concurrency);
        return worker;
    }

    /// <summary>Removes a worker whose stream ended; its running nodes go back to the ready queues.</summary>
    public void RemoveWorker(WorkerState worker)
    {
        lock (_gate)
        {
            _workers.Remove(worker);
            foreach (var node in worker.Running.ToList())
            {
                node.Worker = null;
                worker.Running.Remove(node);
                if (node.Run is { Finished: false, Stopped: false } run)
                {
                    run.InFlight--;
                    run.Ready.Enqueue(node);
                }
                else if (node.Run is { } stopped)
                {
                    stopped.InFlight--;
                    CompleteIfDoneLocked(stopped);
                }
            }

            worker.Outbox.Writer.TryComplete();
            DispatchLocked();
        }

        Log.WorkerDisconnected(logger, worker.Id);
    }

    public void OnCompleted(WorkerState worker, NodeCompleted completed)
    {
        // Inline outputs enter the store before the completion is recorded, so dependents always find them.
        foreach (var output in completed.Outputs)
        {
            var bytes = output.Data.ToByteArray();
            store.Put(output.Name, bytes, bytes.Length);
        }

        completed.Outputs.Clear();
        lock (_gate)
        {
            if (!TryTakeRunning(worker, completed.RunId, completed.Node, out var run, out var node))
            {
                return;
            }

            node.Done = true;
            run.Events.Writer.TryWrite(new RunEvent { Completed = completed });
            if (!run.Stopped)
            {
                foreach (var dependent in node.Dependents)
                {
                    if (--dependent.Pending == 0)
                    {
                        run.Ready.Enqueue(dependent);
                    }
                }
            }

            CompleteIfDoneLocked(run);
            DispatchLocked();
        }
    }

    public void OnFailed(WorkerState worker, NodeFailed failed)
    {
        lock (_gate)
        {
            if (!TryTakeRunning(worker, failed.RunId, failed.Node, out var run, out _))
            {
                return;
            }

            run.Events.Writer.TryWrite(new RunEvent { Failed = failed });
            if (!run.ContinueOnFailure)
            {
                StopLocked(run); // no new node of this run starts after a failure
            }

            CompleteIfDoneLocked(run);
            DispatchLocked();
        }
    }

    /// <summary>The driver went away or cancelled: drop queued nodes and cancel running ones.</summary>
    public void CancelRun(RunState run)
    {
        lock (_gate)
        {
            if (run.Finished)
            {
                return;
            }

            StopLocked(run);
            foreach (var worker in _workers)
            {
                foreach (var node in worker.Running)
                {
                    if (node.Run == run)
                    {
                        worker.Outbox.Writer.TryWrite(new SchedulerMessage { Cancel = new CancelNode { RunId = run.Id, Node = node.Spec.Name } });
                    }
                }
            }

            run.Finished = true;
            _runs.Remove(run.Id);
            run.Events.Writer.TryComplete();
        }
    }

    private bool TryTakeRunning(WorkerState worker, string runId, string nodeName, out RunState run, out NodeState node)
    {
        run = null!;
        node = worker.Running.FirstOrDefault(n => n.Spec.Name == nodeName && n.Run?.Id == runId)!;
        if (node is null)
        {
            return false; // a stale report: the node was requeued elsewhere
        }

        // Free the worker's slot even when the run is gone (cancelled), so slots never leak.
        node.Worker = null;
        worker.Running.Remove(node);
        run = node.Run!;
        if (run.Finished)
        {
            return false;
        }

        run.InFlight--;
        return true;
    }

    private static void StopLocked(RunState run)
    {
        run.Stopped = true;
        run.Ready.Clear();
    }

    private void CompleteIfDoneLocked(RunState run)
    {
        if (!run.Finished && run.InFlight == 0 && run.Ready.Count == 0)
        {
            run.Finished = true;
            _runs.Remove(run.Id);
            run.Events.Writer.TryComplete();
        }
    }

    private void DispatchLocked()
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
                if (run.Stopped || !run.Ready.TryPeek(out var node))
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
                node.Run = run;
                worker.Running.Add(node);
                run.InFlight++;
                var assign = new AssignNode { RunId = run.Id, Node = node.Spec };
                foreach (var input in node.Spec.StoreInputs)
                {
                    // A copy (the message outlives any lease), read straight from a spill file if spilled: no load
                    // into memory and no spilling of others under this lock. If the file cannot be read, the value is
                    // not inlined and the worker's fetch reports the problem.
                    byte[]? copy;
                    try
                    {
                        store.TryCopy(input, InlineValues.Limit, out copy);
                    }
                    catch (IOException)
                    {
                        copy = null;
                    }

                    if (copy is not null)
                    {
                        assign.Inputs.Add(new InlineValue { Name = input, Data = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(copy) });
                    }
                }

                worker.Outbox.Writer.TryWrite(new SchedulerMessage { Assign = assign });
                if (run.ReportStarted)
                {
                    run.Events.Writer.TryWrite(new RunEvent { Started = new NodeStarted { RunId = run.Id, Node = node.Spec.Name, Worker = worker.Id } });
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
            if (worker.Running.Count < worker.Concurrency)
            {
                _nextWorker = (_nextWorker + i + 1) % _workers.Count;
                return worker;
            }
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Worker '{WorkerId}' connected with {Concurrency} slot(s)")]
        public static partial void WorkerConnected(ILogger logger, string workerId, int concurrency);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Worker '{WorkerId}' disconnected")]
        public static partial void WorkerDisconnected(ILogger logger, string workerId);
    }
}

internal sealed class RunState(string id, bool continueOnFailure, bool reportStarted)
{
    public bool ReportStarted { get; } = reportStarted;

    public string Id { get; } = id;

    public bool ContinueOnFailure { get; } = continueOnFailure;

    public Dictionary<string, NodeState> Nodes { get; } = new(StringComparer.Ordinal);

    public Queue<NodeState> Ready { get; } = new();

    public Channel<RunEvent> Events { get; } = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });

    public int InFlight { get; set; }

    public bool Stopped { get; set; }

    public bool Finished { get; set; }
}

internal sealed class NodeState(NodeSpec spec)
{
    public NodeSpec Spec { get; } = spec;

    public List<NodeState> Dependents { get; } = [];

    public int Pending { get; set; }

    public bool Done { get; set; }

    public WorkerState? Worker { get; set; }

    public RunState? Run { get; set; }
}

internal sealed class WorkerState(string id, int concurrency)
{
    public string Id { get; } = id;

    public int Concurrency { get; } = concurrency;

    public HashSet<NodeState> Running { get; } = [];

    public Channel<SchedulerMessage> Outbox { get; } = Channel.CreateUnbounded<SchedulerMessage>(new UnboundedChannelOptions { SingleReader = true });
}
