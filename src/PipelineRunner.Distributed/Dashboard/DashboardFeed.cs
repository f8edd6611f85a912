using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Dashboard;

/// <summary>
/// The dashboard's model of recent runs, fed by <see cref="SchedulerState.SubscribeStateChanges"/> (never by polling
/// the scheduler): each run's nodes with their status, worker, attempts, times and error, and the executions of the
/// task stream. Each change is applied once and serialized once, then handed to every connected page's stream
/// (<see cref="Connect"/>); a page that falls behind is disconnected and reconnects to a fresh snapshot.
/// </summary>
internal sealed partial class DashboardFeed : IAsyncDisposable, IDisposable
{
    /// <summary>Finished runs kept for the Runs page and their graphs.</summary>
    public const int RecentRuns = 20;

    /// <summary>Executions kept for the task stream.</summary>
    public const int MaxExecutions = 20_000;

    private const int ClientCapacity = 20_000;

    private readonly Lock _gate = new();
    private readonly SchedulerState _state;
    private readonly ILogger<DashboardFeed> _logger;
    private readonly Dictionary<string, RunRecord> _runs = new(StringComparer.Ordinal);
    private readonly LinkedList<RunRecord> _order = new();
    private readonly Queue<Execution> _executions = new();
    private readonly Dictionary<string, int> _nodesRunByWorker = new(StringComparer.Ordinal);
    private readonly List<Channel<string>> _clients = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _reading;

    public DashboardFeed(SchedulerState state, ILogger<DashboardFeed> logger)
    {
        _state = state;
        _logger = logger;
    }

    /// <summary>Subscribes to the scheduler's changes (once; later calls do nothing).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_reading is not null)
            {
                return;
            }

            var subscription = _state.SubscribeStateChanges(capacity: 100_000);
            _reading = Task.Run(() => ReadAsync(subscription, _stop.Token), CancellationToken.None);
        }
    }

    /// <summary>Nodes run per worker id, as seen in the feed.</summary>
    public int NodesRun(string worker)
    {
        lock (_gate)
        {
            return _nodesRunByWorker.GetValueOrDefault(worker);
        }
    }

    /// <summary>The specs of a recent run's nodes, or null for an unknown run.</summary>
    public IReadOnlyList<NodeSpec>? Specs(string runId)
    {
        lock (_gate)
        {
            return _runs.TryGetValue(runId, out var run) ? run.Specs : null;
        }
    }

    /// <summary>
    /// A page's stream: the first item is a snapshot (<c>snapshot</c> event: runs, the nodes of <paramref name="runId"/>
    /// if given, and the task stream's executions when <paramref name="withExecutions"/>), then every change as it
    /// happens. Complete when the page falls too far behind or the feed stops.
    /// </summary>
    public ChannelReader<string> Connect(string? runId, bool withExecutions, out Action disconnect)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(ClientCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        lock (_gate)
        {
            channel.Writer.TryWrite(Frame("snapshot", w => WriteSnapshot(w, runId, withExecutions)));
            _clients.Add(channel);
        }

        disconnect = () =>
        {
            lock (_gate)
            {
                _clients.Remove(channel);
            }

            channel.Writer.TryComplete();
        };
        return channel.Reader;
    }

    /// <summary>The runs, newest first, as JSON.</summary>
    public string RunsJson()
    {
        lock (_gate)
        {
            return Json(w =>
            {
                w.WriteStartArray();
                foreach (var run in _order)
                {
                    WriteRun(w, run);
                }

                w.WriteEndArray();
            });
        }
    }

    /// <summary>One run with its nodes as JSON, or null for an unknown run.</summary>
    public string? RunJson(string runId)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var run))
            {
                return null;
            }

            return Json(w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("run");
                WriteRun(w, run);
                w.WritePropertyName("nodes");
                WriteNodes(w, run);
                w.WriteEndObject();
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reading is { } reading)
        {
            await reading.ConfigureAwait(false);
        }

        EndStreams();
    }

    /// <summary>Stops reading changes without waiting for the reader (for containers disposed synchronously).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        EndStreams();
    }

    private void EndStreams()
    {
        lock (_gate)
        {
            foreach (var client in _clients)
            {
                client.Writer.TryComplete();
            }

            _clients.Clear();
        }
    }

    private async Task ReadAsync(StateChangeSubscription subscription, CancellationToken cancellationToken)
    {
        using (subscription)
        {
            try
            {
                while (await subscription.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    lock (_gate)
                    {
                        while (subscription.Reader.TryRead(out var change))
                        {
                            Apply(change);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The scheduler is stopping.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.FeedFailed(_logger, ex);
            }
        }
    }

    /// <summary>Applies a change to the model and sends it to the pages; under the lock.</summary>
    private void Apply(SchedulerChange change)
    {
        string frame;
        switch (change)
        {
            case RunSubmittedChange submitted:
                var run = new RunRecord(submitted.RunId, submitted.Time, submitted.Nodes);
                if (_runs.Remove(submitted.RunId, out var stale))
                {
                    _order.Remove(stale);
                }

                _runs.Add(run.Id, run);
                _order.AddFirst(run);
                Trim();
                if (_clients.Count == 0)
                {
                    return;
                }

                frame = Frame("run", w => WriteRun(w, run));
                break;
            case NodeStateChanged moved:
                if (!_runs.TryGetValue(moved.RunId, out var owner) || !owner.Nodes.TryGetValue(moved.Node, out var node))
                {
                    return; // a run submitted before the dashboard started
                }

                Move(owner, node, moved);
                if (_clients.Count == 0)
                {
                    return; // the model is up to date for the next page's snapshot; nobody to send the change to
                }

                frame = Frame("node", w =>
                {
                    w.WriteStartObject();
                    w.WriteString("run", owner.Id);
                    WriteNodeFields(w, node);
                    w.WritePropertyName("progress");
                    WriteRun(w, owner);
                    w.WriteEndObject();
                });
                break;
            case NodeRetryingChange retrying:
                if (!_runs.TryGetValue(retrying.RunId, out var retried) || !retried.Nodes.TryGetValue(retrying.Node, out var retriedNode))
                {
                    return;
                }

                retriedNode.Retries++;
                retriedNode.LastRetryError = $"{retrying.Retrying.ErrorType}: {retrying.Retrying.Message}";
                if (retriedNode.Execution is { } attempt)
                {
                    attempt.Retries++;
                }

                if (_clients.Count == 0)
                {
                    return;
                }

                frame = Frame("node", w =>
                {
                    w.WriteStartObject();
                    w.WriteString("run", retried.Id);
                    WriteNodeFields(w, retriedNode);
                    w.WriteEndObject();
                });
                break;
            default:
                return;
        }

        for (var i = _clients.Count - 1; i >= 0; i--)
        {
            if (!_clients[i].Writer.TryWrite(frame))
            {
                _clients[i].Writer.TryComplete(); // too far behind: the page reconnects to a fresh snapshot
                _clients.RemoveAt(i);
            }
        }
    }

    private void Move(RunRecord run, NodeRecord node, NodeStateChanged moved)
    {
        run.Counts[(int)node.Status]--;
        node.Status = moved.To;
        run.Counts[(int)node.Status]++;
        if (moved.Worker is not null)
        {
            node.Worker = moved.Worker;
        }

        switch (moved.To)
        {
            case NodeStatus.Running:
                node.Attempts++;
                node.Started = moved.Time;
                node.Ended = null;
                node.Execution = new Execution(run.Id, node.Name, moved.Worker ?? string.Empty, moved.Time);
                _executions.Enqueue(node.Execution);
                while (_executions.Count > MaxExecutions)
                {
                    _executions.Dequeue();
                }

                break;
            case NodeStatus.Done or NodeStatus.Failed or NodeStatus.Cancelled or NodeStatus.Ready when moved.From == NodeStatus.Running:
                node.Ended = moved.Time;
                if (node.Execution is { } execution)
                {
                    execution.Ended = moved.Time;
                    execution.Outcome = moved.To == NodeStatus.Ready ? "requeued" : Name(moved.To);
                    node.Execution = null;
                }

                if (moved.To == NodeStatus.Done && moved.Worker is not null)
                {
                    _nodesRunByWorker[moved.Worker] = _nodesRunByWorker.GetValueOrDefault(moved.Worker) + 1;
                }

                break;
        }

        if (moved.Failure is { } failure)
        {
            node.ErrorType = failure.ErrorType;
            node.Error = failure.Message;
            node.StackTrace = failure.StackTrace;
            if (failure.Attempts > 0)
            {
                node.Attempts = failure.Attempts;
            }
        }

        if (run.Finished is null && run.Counts[(int)NodeStatus.Done] + run.Counts[(int)NodeStatus.Failed] + run.Counts[(int)NodeStatus.Cancelled] == run.Nodes.Count)
        {
            run.Finished = moved.Time;
        }
    }

    private void Trim()
    {
        while (_order.Count > RecentRuns && _order.Last is { } oldest)
        {
            // The oldest finished run goes; running ones stay however many there are.
            var candidate = oldest;
            while (candidate is not null && candidate.Value.Finished is null)
            {
                candidate = candidate.Previous;
            }

            if (candidate is null)
            {
                return;
            }

            _runs.Remove(candidate.Value.Id);
            _order.Remove(candidate);
        }
    }

    private void WriteSnapshot(Utf8JsonWriter w, string? runId, bool withExecutions)
    {
        w.WriteStartObject();
        w.WritePropertyName("runs");
        w.WriteStartArray();
        foreach (var run in _order)
        {
            WriteRun(w, run);
        }

        w.WriteEndArray();
        if (runId is not null && _runs.TryGetValue(runId, out var selected))
        {
            w.WritePropertyName("nodes");
            WriteNodes(w, selected);
        }

        if (withExecutions)
        {
            w.WritePropertyName("executions");
            w.WriteStartArray();
            foreach (var execution in _executions)
            {
                w.WriteStartObject();
                w.WriteString("run", execution.RunId);
                w.WriteString("node", execution.Node);
                w.WriteString("worker", execution.Worker);
                w.WriteString("start", execution.Started);
                if (execution.Ended is { } ended)
                {
                    w.WriteString("end", ended);
                }

                w.WriteString("outcome", execution.Outcome);
                w.WriteNumber("retries", execution.Retries);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter w, RunRecord run)
    {
        w.WriteStartObject();
        w.WriteString("id", run.Id);
        w.WriteNumber("nodes", run.Nodes.Count);
        w.WriteStartObject("counts");
        foreach (var status in Enum.GetValues<NodeStatus>())
        {
            w.WriteNumber(Name(status), run.Counts[(int)status]);
        }

        w.WriteEndObject();
        w.WriteString("submitted", run.Submitted);
        if (run.Finished is { } finished)
        {
            w.WriteString("finished", finished);
        }

        w.WriteString("outcome", run.Outcome);
        w.WriteEndObject();
    }

    private static void WriteNodes(Utf8JsonWriter w, RunRecord run)
    {
        w.WriteStartArray();
        foreach (var node in run.Nodes.Values)
        {
            w.WriteStartObject();
            WriteNodeFields(w, node);
            w.WriteStartArray("inputs");
            foreach (var input in node.Inputs)
            {
                w.WriteStringValue(input);
            }

            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var output in node.Outputs)
            {
                w.WriteStringValue(output);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteNodeFields(Utf8JsonWriter w, NodeRecord node)
    {
        w.WriteString("node", node.Name);
        w.WriteString("state", node.DisplayState);
        if (node.Worker is not null)
        {
            w.WriteString("worker", node.Worker);
        }

        w.WriteNumber("attempts", node.Attempts);
        w.WriteNumber("retries", node.Retries);
        if (node.Started is { } started)
        {
            w.WriteString("start", started);
        }

        if (node.Ended is { } ended)
        {
            w.WriteString("end", ended);
        }

        if (node.Error is not null)
        {
            w.WriteString("errorType", node.ErrorType);
            w.WriteString("error", node.Error);
            w.WriteString("stack", node.StackTrace);
        }

        if (node.LastRetryError is not null)
        {
            w.WriteString("retryError", node.LastRetryError);
        }
    }

    /// <summary>An SSE frame: <c>event: NAME</c> and one <c>data:</c> line of JSON (JSON escapes newlines).</summary>
    private static string Frame(string name, Action<Utf8JsonWriter> write) => $"event: {name}\ndata: {Json(write)}\n\n";

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static string Name(NodeStatus status) => status switch
    {
        NodeStatus.Waiting => "waiting",
        NodeStatus.Ready => "ready",
        NodeStatus.Running => "running",
        NodeStatus.Done => "done",
        NodeStatus.Failed => "failed",
        _ => "skipped",
    };

    /// <summary>A recent run: its nodes by name, counts by status, when it was submitted and finished.</summary>
    private sealed class RunRecord
    {
        public RunRecord(string id, DateTimeOffset submitted, IReadOnlyList<NodeSpec> specs)
        {
            Id = id;
            Submitted = submitted;
            Specs = specs;
            foreach (var spec in specs)
            {
                var outputs = new HashSet<string>(spec.Outputs, StringComparer.Ordinal);
                Nodes[spec.Name] = new NodeRecord(spec.Name, [.. spec.Datasets.Select(d => d.Name).Where(n => !outputs.Contains(n))], [.. spec.Outputs]);
            }

            Counts[(int)NodeStatus.Waiting] = Nodes.Count;
        }

        public string Id { get; }

        public DateTimeOffset Submitted { get; }

        public DateTimeOffset? Finished { get; set; }

        public IReadOnlyList<NodeSpec> Specs { get; }

        public Dictionary<string, NodeRecord> Nodes { get; } = new(StringComparer.Ordinal);

        public int[] Counts { get; } = new int[Enum.GetValues<NodeStatus>().Length];

        public string Outcome => Finished is null ? "running"
            : Counts[(int)NodeStatus.Failed] > 0 ? "failed"
            : Counts[(int)NodeStatus.Cancelled] > 0 ? "cancelled"
            : "succeeded";
    }

    /// <summary>A node of a recent run as the dashboard shows it.</summary>
    private sealed class NodeRecord(string name, string[] inputs, string[] outputs)
    {
        public string Name { get; } = name;

        public string[] Inputs { get; } = inputs;

        public string[] Outputs { get; } = outputs;

        public NodeStatus Status { get; set; }

        public string? Worker { get; set; }

        public int Attempts { get; set; }

        public int Retries { get; set; }

        public DateTimeOffset? Started { get; set; }

        public DateTimeOffset? Ended { get; set; }

        public string? ErrorType { get; set; }

        public string? Error { get; set; }

        public string? StackTrace { get; set; }

        public string? LastRetryError { get; set; }

        public Execution? Execution { get; set; }

        /// <summary>The status's name, or <c>retrying</c> for a running node whose attempt failed and is retried.</summary>
        public string DisplayState => Status == NodeStatus.Running && Retries > 0 && Execution is { Retries: > 0 } ? "retrying" : Name(Status);
    }

    /// <summary>One run of a node on a worker, for the task stream.</summary>
    private sealed class Execution(string runId, string node, string worker, DateTimeOffset started)
    {
        public string RunId { get; } = runId;

        public string Node { get; } = node;

        public string Worker { get; } = worker;

        public DateTimeOffset Started { get; } = started;

        public DateTimeOffset? Ended { get; set; }

        public string Outcome { get; set; } = "running";

        public int Retries { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "The dashboard's feed of scheduler changes failed; the dashboard shows no more changes")]
        public static partial void FeedFailed(ILogger logger, Exception exception);
    }
}
