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
internal sealed partial class SchedulerState(DatasetStore store, SchedulerOptions options, ILogger<SchedulerState> logger)
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
        if (request.RunId.Length is 0 or > 128)
        {
            throw new ArgumentException($"A run id must have 1 to 128 characters, got {request.RunId.Length}.");
        }

        if (request.Nodes.Count > options.MaxNodesPerRun)
        {
            throw new ArgumentException($"Run '{request.RunId}' has {request.Nodes.Count} nodes; the scheduler accepts at most {options.MaxNodesPerRun} (SchedulerOptions.MaxNodesPerRun).");
        }

        var run = new RunState(request.RunId, request.ContinueOnFailure, request.ReportStarted, request.HoldForDriver);
        foreach (var spec in request.Nodes)
        {
            if (string.IsNullOrEmpty(spec.Name) || spec.Name.Length > 1024 || !run.Nodes.TryAdd(spec.Name, new NodeState(spec)))
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

            if (spec.StoreInputs.Concat(spec.Inputs).Except(spec.Datasets.Select(d => d.Name)).FirstOrDefault() is { } unknown)
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

    /// <summary>A node's attempt failed and is being retried: tell the driver (for its hooks and logs).</summary>
    public void OnRetrying(WorkerState worker, NodeRetrying retrying)
    {
        lock (_gate)
        {
            var node = worker.Running.FirstOrDefault(n => n.Spec.Name == retrying.Node && n.Run is { Finished: false } r && r.Id == retrying.RunId);
            if (node?.Run is { } run)
            {
                retrying.Worker = worker.Id;
                run.Events.Writer.TryWrite(new RunEvent { Retrying = retrying });
            }
        }
    }

    /// <summary>The worker is shutting down gracefully: assign it nothing more.</summary>
    public void OnLeave(WorkerState worker)
    {
        lock (_gate)
        {
            worker.Leaving = true;
        }

        Log.WorkerLeaving(logger, worker.Id, worker.Running.Count);
    }

    /// <summary>
    /// Removes a worker whose stream ended; its running nodes go back to the ready queues. Unless the worker left
    /// gracefully, each counts the death, and a node whose workers died more than
    /// <see cref="SchedulerOptions.AllowedWorkerDeaths"/> times is failed as poisonous instead.
    /// </summary>
    public void RemoveWorker(WorkerState worker)
    {
        var requeued = 0;
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
                    if (!worker.Leaving)
                    {
                        node.DeadWorkers.Add(worker.Id);
                    }

                    if (node.DeadWorkers.Count > options.AllowedWorkerDeaths)
                    {
                        PoisonLocked(run, node);
                    }
                    else
                    {
                        (node.ReleasedByDriver ? run.Released : run.Ready).Enqueue(node);
                        requeued++;
                    }
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

        if (worker.Leaving)
        {
            Log.WorkerLeft(logger, worker.Id, requeued);
        }
        else
        {
            Log.WorkerDisconnected(logger, worker.Id, requeued);
        }
    }

    private void PoisonLocked(RunState run, NodeState node)
    {
        var message = $"Node '{node.Spec.Name}' was running on {node.DeadWorkers.Count} workers that died ({string.Join(", ", node.DeadWorkers)}); "
            + $"it is failed as poisonous instead of being run again (SchedulerOptions.AllowedWorkerDeaths = {options.AllowedWorkerDeaths}). "
            + "Its execution probably kills the worker process: look for a crash, an out-of-memory kill or Environment.Exit in it.";
        Log.NodePoisoned(logger, node.Spec.Name, node.DeadWorkers.Count);
        run.Events.Writer.TryWrite(new RunEvent
        {
            Failed = new NodeFailed
            {
                RunId = run.Id,
                Node = node.Spec.Name,
                Worker = node.DeadWorkers[^1],
                ErrorType = typeof(PoisonNodeException).FullName,
                Message = message,
                Poisoned = true,
            },
        });
        if (!run.ContinueOnFailure)
        {
            StopLocked(run);
        }

        CompleteIfDoneLocked(run);
    }

    public void OnCompleted(WorkerState worker, NodeCompleted completed)
    {
        // Inline outputs enter the store before the completion is recorded, so dependents always find them; only
        // those of a node this worker is running, each one of the node's store datasets and small.
        if (completed.Outputs.Count > 0)
        {
            NodeState? running;
            lock (_gate)
            {
                running = worker.Running.FirstOrDefault(n => n.Spec.Name == completed.Node && n.Run?.Id == completed.RunId);
                if (running?.Run is { Finished: true })
                {
                    // Outputs of a run that already ended (cancelled, abandoned) would never be released: drop them,
                    // but still free the worker's slot below.
                    completed.Outputs.Clear();
                }
            }

            if (running is null)
            {
                return; // a stale or forged report: store nothing
            }

            var spec = running.Spec;

            var storeDatasets = spec.Datasets.Where(d => d.DefinitionJson.Length == 0).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
            var invalid = completed.Outputs.FirstOrDefault(o => !storeDatasets.Contains(o.Name) || o.Data.Length > InlineValues.Limit);
            if (invalid is not null)
            {
                Log.InvalidCompletion(logger, worker.Id, completed.Node, Shorten(invalid.Name), invalid.Data.Length);
                OnFailed(worker, new NodeFailed
                {
                    RunId = completed.RunId,
                    Node = completed.Node,
                    Worker = worker.Id,
                    ErrorType = typeof(InvalidOperationException).FullName,
                    Message = $"Worker '{worker.Id}' reported an inline output '{Shorten(invalid.Name)}' of {invalid.Data.Length} bytes for node '{completed.Node}', which is not one of the node's store datasets or exceeds {InlineValues.Limit} bytes.",
                });
                return;
            }

            foreach (var output in completed.Outputs)
            {
                var bytes = output.Data.ToByteArray();
                store.Put(output.Name, bytes, bytes.Length);
            }

            completed.Outputs.Clear();
        }

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
    /// <returns>Whether the run was still going (it was abandoned rather than finished).</returns>
    public bool CancelRun(RunState run)
    {
        lock (_gate)
        {
            if (run.Finished)
            {
                return false;
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
            return true;
        }
    }

    /// <summary>
    /// A run whose driver went away: after <see cref="SchedulerOptions.DriverLeaseTimeout"/>, releases the store datasets
    /// its nodes read or wrote, except those another active run uses.
    /// </summary>
    public async Task ReleaseAbandonedAsync(RunState run, CancellationToken cancellationToken)
    {
        HashSet<string> names;
        lock (_gate)
        {
            names = run.Nodes.Values
                .SelectMany(n => n.Spec.Datasets)
                .Where(d => d.DefinitionJson.Length == 0)
                .Select(d => d.Name)
                .Concat(run.Nodes.Values.SelectMany(n => n.Overrides).Select(o => o.StoreName)) // the driver's hook replacements
                .ToHashSet(StringComparer.Ordinal);
        }

        Log.RunAbandoned(logger, run.Id, names.Count, options.DriverLeaseTimeout.TotalSeconds);
        await Task.Delay(options.DriverLeaseTimeout, cancellationToken).ConfigureAwait(false);
        var released = 0;
        lock (_gate)
        {
            foreach (var active in _runs.Values)
            {
                names.ExceptWith(active.Nodes.Values.SelectMany(n => n.Spec.Datasets).Select(d => d.Name));
            }

            foreach (var name in names)
            {
                released += store.Release(name) ? 1 : 0;
            }
        }

        Log.AbandonedReleased(logger, run.Id, released);
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
        run.Released.Clear();
        run.Awaiting = 0; // nodes announced to the driver will not be released any more
    }

    private void CompleteIfDoneLocked(RunState run)
    {
        if (!run.Finished && run.InFlight == 0 && run.Ready.Count == 0 && run.Released.Count == 0 && run.Awaiting == 0)
        {
            run.Finished = true;
            _runs.Remove(run.Id);
            run.Events.Writer.TryComplete();
        }
    }

    /// <summary>
    /// The driver's hooks have run for a node of a hold-for-driver run: dispatch it, reading the replaced inputs from
    /// the given store datasets.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such running run.</exception>
    /// <exception cref="ArgumentException">The node is not waiting for release, or an override is invalid.</exception>
    public void ReleaseNode(ReleaseNodeRequest request)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(request.RunId, out var run))
            {
                throw new KeyNotFoundException($"Run '{Shorten(request.RunId)}' is not running on this scheduler.");
            }

            if (run.Stopped)
            {
                return; // stopped after a failure or cancellation: nothing more starts
            }

            if (!run.Nodes.TryGetValue(request.Node, out var node) || !node.Awaiting)
            {
                throw new ArgumentException($"Node '{Shorten(request.Node)}' of run '{run.Id}' is not waiting for the driver's release.");
            }

            var inputs = node.Spec.Inputs.ToHashSet(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var replaced in request.Overrides)
            {
                if (!inputs.Contains(replaced.Input))
                {
                    throw new ArgumentException($"Node '{node.Spec.Name}' has no input '{Shorten(replaced.Input)}' to replace.");
                }

                if (!seen.Add(replaced.Input))
                {
                    throw new ArgumentException($"Input '{Shorten(replaced.Input)}' of node '{node.Spec.Name}' is replaced twice.");
                }

                Pipelines.DatasetNames.Validate(replaced.StoreName, $"the replacement of input '{replaced.Input}' of node '{node.Spec.Name}'");
            }

            node.Awaiting = false;
            node.ReleasedByDriver = true;
            node.Overrides.AddRange(request.Overrides);
            run.Awaiting--;
            run.Released.Enqueue(node);
            DispatchLocked();
        }
    }

    /// <summary>Ready nodes of hold-for-driver runs are announced (NodeReady) and wait for the driver's release.</summary>
    private void AnnounceLocked()
    {
        foreach (var run in _runs.Values)
        {
            while (run.HoldForDriver && !run.Stopped && run.Ready.TryDequeue(out var node))
            {
                node.Awaiting = true;
                run.Awaiting++;
                run.Events.Writer.TryWrite(new RunEvent { Ready = new NodeReady { RunId = run.Id, Node = node.Spec.Name } });
            }
        }
    }

    private void DispatchLocked()
    {
        AnnounceLocked();
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
                var queue = run.HoldForDriver ? run.Released : run.Ready;
                if (run.Stopped || !queue.TryPeek(out var node))
                {
                    continue;
                }

                var worker = NextFreeWorker();
                if (worker is null)
                {
                    return;
                }

                queue.Dequeue();
                node.Worker = worker;
                node.Run = run;
                worker.Running.Add(node);
                run.InFlight++;
                var assign = new AssignNode { RunId = run.Id, Node = node.Spec };
                assign.Overrides.AddRange(node.Overrides);
                foreach (var original in node.Spec.StoreInputs)
                {
                    // A replaced input is read (and inlined) from its replacement's store dataset.
                    var input = node.Overrides.FirstOrDefault(o => o.Input == original)?.StoreName ?? original;
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
            if (!worker.Leaving && worker.Running.Count < worker.Concurrency)
            {
                _nextWorker = (_nextWorker + i + 1) % _workers.Count;
                return worker;
            }
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

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

        [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Lease of abandoned run '{RunId}' expired: {Released} store dataset(s) released")]
        public static partial void AbandonedReleased(ILogger logger, string runId, int released);

        [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Node '{NodeName}' failed as poisonous: {Deaths} workers died running it")]
        public static partial void NodePoisoned(ILogger logger, string nodeName, int deaths);
    }
}

internal sealed class RunState(string id, bool continueOnFailure, bool reportStarted, bool holdForDriver = false)
{
    /// <summary>Ready nodes wait for the driver's release (its before-node-run hooks) before dispatch.</summary>
    public bool HoldForDriver { get; } = holdForDriver;

    /// <summary>Nodes the driver released, in the order released (hold-for-driver runs dispatch from here).</summary>
    public Queue<NodeState> Released { get; } = new();

    /// <summary>Nodes announced to the driver and not yet released.</summary>
    public int Awaiting { get; set; }

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

    /// <summary>Announced to the driver, waiting for its release.</summary>
    public bool Awaiting { get; set; }

    /// <summary>Released by the driver: a requeue (dead worker) dispatches it again without a new announcement.</summary>
    public bool ReleasedByDriver { get; set; }

    /// <summary>Inputs the driver's hooks replaced.</summary>
    public List<InputOverride> Overrides { get; } = [];

    /// <summary>Workers that died while running this node.</summary>
    public List<string> DeadWorkers { get; } = [];
}

internal sealed class WorkerState(string id, int concurrency)
{
    public string Id { get; } = id;

    public int Concurrency { get; } = concurrency;

    public HashSet<NodeState> Running { get; } = [];

    /// <summary>The worker said it is shutting down: it gets no new nodes, and what it hands back is not a death.</summary>
    public bool Leaving { get; set; }

    public Channel<SchedulerMessage> Outbox { get; } = Channel.CreateUnbounded<SchedulerMessage>(new UnboundedChannelOptions { SingleReader = true });
}
