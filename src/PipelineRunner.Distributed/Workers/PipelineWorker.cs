using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Pipelines;
using PipelineRunner.Reporting;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Workers;

/// <summary>
/// A worker: dials out to a scheduler, keeps one stream open, runs the nodes it is assigned (resolved by name in this
/// process, refused when their definition or build differs from the driver's) and reports each completion or failure.
/// Inputs and outputs go through the scheduler's store, or straight to files for datasets defined in the catalog.
/// </summary>
public sealed partial class PipelineWorker
{
    private readonly WorkerOptions _options;
    private readonly ChannelTimeouts _timeouts;
    private readonly INodeResolver _resolver;
    private readonly ILogger _logger;
    private readonly DatasetTypeRegistry _datasetTypes;
    private readonly ConcurrentDictionary<Node, Pipeline> _singleNodePipelines = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<(string Run, string Node), CancellationTokenSource> _running = new();

    /// <summary>While draining, signalled each time a node's execution ends, so the drain waits for the last one without polling.</summary>
    private readonly SemaphoreSlim _nodeEnded = new(0);
    private int _draining;

    /// <summary>Creates a worker.</summary>
    /// <param name="options">Where the scheduler is and how to serve it.</param>
    /// <param name="resolver">Finds assigned nodes in this process.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <exception cref="ArgumentException">The options have no scheduler address, or a setting is out of range (the message names it).</exception>
    public PipelineWorker(WorkerOptions options, INodeResolver resolver, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        new WorkerOptionsValidator().ThrowIfInvalid(options);
        _timeouts = ChannelTimeouts.Create(nameof(WorkerOptions), options.ConnectTimeout, options.PingDelay, options.PingTimeout);
        _options = options;
        _datasetTypes = options.DatasetTypes ?? DatasetTypeRegistry.CreateDefault();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PipelineWorker>();
    }

    /// <summary>
    /// For a worker of the driver's own local pool: the hooks of the run that assigned a node, instead of
    /// <see cref="WorkerOptions.Hooks"/>.
    /// </summary>
    internal RunHookRegistry? RunHooks { get; init; }

    /// <summary>The worker's id.</summary>
    public string Id => _options.WorkerId;

    /// <summary>
    /// Serves the scheduler until <paramref name="cancellationToken"/> is cancelled. A lost connection (the scheduler
    /// stopped, restarted, stopped answering or is unreachable) is retried with backoff (<see cref="WorkerOptions.ReconnectDelay"/>
    /// doubling up to <see cref="WorkerOptions.MaxReconnectDelay"/>) unless <see cref="WorkerOptions.Reconnect"/> is off,
    /// for at most <see cref="WorkerOptions.GiveUpAfter"/> when that is set. Each loss is logged once as a warning
    /// ("connection to the scheduler at … lost, retrying in N s (reason)"), each return as "reconnected".
    /// </summary>
    /// <remarks>
    /// Cancelling <paramref name="cancellationToken"/> shuts the worker down gracefully: it tells the scheduler it is
    /// leaving (no new nodes), lets running nodes finish for up to <see cref="WorkerOptions.DrainTimeout"/>, hands back
    /// those still running after that (the scheduler requeues them without counting a worker death), then disconnects.
    /// </remarks>
    /// <param name="cancellationToken">Stops the worker gracefully.</param>
    /// <returns>A task that completes when the worker stops.</returns>
    /// <exception cref="SchedulerUnavailableException">
    /// The scheduler refused the worker (credentials, certificate, http against https); or it cannot be reached or the
    /// connection broke, and reconnecting is off or <see cref="WorkerOptions.GiveUpAfter"/> has passed. The message is
    /// one sentence naming the scheduler and the reason.
    /// </exception>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var time = _options.TimeProvider;
        var delay = _options.ReconnectDelay;
        var trying = time.GetTimestamp(); // since when the worker has been without a scheduler
        var everConnected = false;
        var failedBefore = false;
        while (true)
        {
            var attempt = new Attempt(everConnected, failedBefore ? time.GetElapsedTime(trying) : null);
            var loss = await ServeAsync(attempt, cancellationToken).ConfigureAwait(false);
            if (loss is null || cancellationToken.IsCancellationRequested)
            {
                return;
            }

            everConnected |= attempt.Connected;
            if (attempt.Connected)
            {
                trying = time.GetTimestamp();
                delay = _options.ReconnectDelay;
            }

            failedBefore = true;
            if (!_options.Reconnect || loss.IsRefusal)
            {
                throw new SchedulerUnavailableException(loss.Sentence($"Worker '{Id}'", attempt.Connected), loss.Error);
            }

            var wait = delay;
            if (_options.GiveUpAfter is { } limit)
            {
                var left = limit - time.GetElapsedTime(trying);
                if (left <= TimeSpan.Zero)
                {
                    throw new SchedulerUnavailableException(
                        $"Worker '{Id}' gave up after {ChannelTimeouts.Seconds(limit)} s without reaching the scheduler at {loss.Address}: {loss.Reason}.",
                        loss.Error);
                }

                wait = left < wait ? left : wait;
            }

            // The timer is set before the line is logged: whoever reads the line may move the clock on.
            var pause = Task.Delay(wait, time, cancellationToken);
            if (attempt.Connected)
            {
                Log.ConnectionLost(_logger, Id, loss.Address, ChannelTimeouts.Seconds(wait), loss.Reason);
            }
            else
            {
                Log.Unreachable(_logger, Id, loss.Address, ChannelTimeouts.Seconds(wait), loss.Reason);
            }

            try
            {
                await pause.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>
    /// One connection to the scheduler, served until it ends: null when the worker stopped (or left gracefully),
    /// otherwise why the connection failed or was lost.
    /// </summary>
    private async Task<SchedulerFailure?> ServeAsync(Attempt attempt, CancellationToken stopToken)
    {
        using var channel = new SchedulerChannel(_options.SchedulerAddress!, _timeouts, _options.Security, _logger, _options.TimeProvider);
        using var connection = new CancellationTokenSource();
        using var call = channel.Client.Connect(cancellationToken: connection.Token);
        var outbox = Channel.CreateUnbounded<WorkerMessage>(new UnboundedChannelOptions { SingleReader = true });
        outbox.Writer.TryWrite(new WorkerMessage { Register = new RegisterWorker { WorkerId = Id, Concurrency = _options.MaxConcurrentNodes } });
        var writer = Task.Run(
            async () =>
            {
                await foreach (var message in outbox.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    await call.RequestStream.WriteAsync(message, connection.Token).ConfigureAwait(false);
                }

                // Drained after a graceful leave: every completion is sent; close our half of the stream.
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            },
            CancellationToken.None);
        var heartbeat = Task.Run(
            async () =>
            {
                using var timer = new PeriodicTimer(_options.HeartbeatInterval, _options.TimeProvider);
                while (await timer.WaitForNextTickAsync(connection.Token).ConfigureAwait(false) && outbox.Writer.TryWrite(new WorkerMessage { Heartbeat = new Heartbeat { MemoryBytes = Environment.WorkingSet } }))
                {
                }
            },
            CancellationToken.None);
        var leaving = 0;
        Task? drain = null;
        using var stopRegistration = stopToken.Register(() =>
        {
            if (Interlocked.Exchange(ref leaving, 1) == 0)
            {
                drain = Task.Run(() => LeaveAsync(outbox.Writer, connection), CancellationToken.None);
            }
        });
        try
        {
            // The scheduler answers the registration with the stream's headers, marked: only then is the worker
            // connected (other headers are a refusal, or a server that is no scheduler; the stream below says which).
            var headers = await call.ResponseHeadersAsync.ConfigureAwait(false);
            attempt.Connected = headers.Get(Wire.RegisteredHeader) is not null;
            if (attempt.Connected)
            {
                LogConnected(attempt, channel.Address);
            }

            await foreach (var message in call.ResponseStream.ReadAllAsync(connection.Token).ConfigureAwait(false))
            {
                switch (message.KindCase)
                {
                    case SchedulerMessage.KindOneofCase.Assign when Volatile.Read(ref leaving) == 0:
                        var assign = message.Assign;
                        var cts = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
                        _running[(assign.RunId, assign.Node.Name)] = cts;
                        _ = Task.Run(() => ExecuteAsync(channel, assign, outbox.Writer, cts, () => Volatile.Read(ref leaving) == 1, connection.Token), CancellationToken.None);
                        break;
                    case SchedulerMessage.KindOneofCase.Cancel:
                        if (_running.TryGetValue((message.Cancel.RunId, message.Cancel.Node), out var running))
                        {
                            await TryCancelAsync(running).ConfigureAwait(false);
                        }

                        break;
                    default:
                        // An assignment that raced with our leave is handed back by not running it: the scheduler
                        // requeues it when the stream ends.
                        break;
                }
            }

            return Volatile.Read(ref leaving) == 1
                ? null
                : SchedulerFailure.Closed(channel.Address, "the scheduler closed the stream (it stopped, or stopped hearing this worker's heartbeats)");
        }
        catch (Exception ex) when ((ex is RpcException or OperationCanceledException) && Volatile.Read(ref leaving) == 1)
        {
            return null; // leaving
        }
        catch (RpcException ex)
        {
            return await SchedulerFailure.ExplainAsync(ex, channel, stopToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var running in _running.Values)
            {
                await TryCancelAsync(running).ConfigureAwait(false);
            }

            outbox.Writer.TryComplete();
            await connection.CancelAsync().ConfigureAwait(false);
            foreach (var task in new[] { writer, heartbeat, drain ?? Task.CompletedTask })
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RpcException or OperationCanceledException or InvalidOperationException or IOException)
                {
                    // The stream is gone.
                }
            }
        }
    }

    private void LogConnected(Attempt attempt, Uri address)
    {
        if (attempt.RetryingFor is not { } retrying)
        {
            Log.Connected(_logger, Id, address);
        }
        else if (attempt.WasConnectedBefore)
        {
            Log.Reconnected(_logger, Id, address, ChannelTimeouts.Seconds(retrying));
        }
        else
        {
            Log.ConnectedAfterRetrying(_logger, Id, address, ChannelTimeouts.Seconds(retrying));
        }
    }

    /// <summary>Cancels a node's execution, which may have just ended and disposed its source.</summary>
    private static async Task TryCancelAsync(CancellationTokenSource running)
    {
        try
        {
            await running.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The node already finished.
        }
    }

    /// <summary>Graceful shutdown: announce it, let running nodes finish (bounded), then close the stream.</summary>
    private async Task LeaveAsync(ChannelWriter<WorkerMessage> outbox, CancellationTokenSource connection)
    {
        Log.Leaving(_logger, Id, _running.Count);
        outbox.TryWrite(new WorkerMessage { Leave = new Leave() });
        // Running nodes get DrainTimeout on the worker's clock to finish; the scheduler requeues what is handed back.
        // The flag is set with a full fence before the emptiness check, and a node's end removes its entry before it
        // reads the flag: either the drain sees the entry gone, or the node sees the flag and signals.
        Interlocked.Exchange(ref _draining, 1);
        using (var timeout = new CancellationTokenSource(_options.DrainTimeout, _options.TimeProvider))
        using (var until = CancellationTokenSource.CreateLinkedTokenSource(connection.Token, timeout.Token))
        {
            try
            {
                while (!_running.IsEmpty)
                {
                    await _nodeEnded.WaitAsync(until.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (until.IsCancellationRequested)
            {
                // The grace period ended (or the connection was lost) first: what still runs is handed back below.
            }
        }

        foreach (var running in _running.Values)
        {
            await TryCancelAsync(running).ConfigureAwait(false); // handed back, not reported
        }

        outbox.TryComplete();
        // The scheduler ends the call once it has read our half-close; do not wait forever for it. A bound on a real
        // peer, like the transport's own timeouts: the system clock, not the worker's.
        connection.CancelAfter(TimeSpan.FromSeconds(5));
    }

    private async Task ExecuteAsync(SchedulerChannel channel, AssignNode assign, ChannelWriter<WorkerMessage> outbox, CancellationTokenSource cts, Func<bool> handingBack, CancellationToken connection)
    {
        var spec = assign.Node;
        var started = _options.TimeProvider.GetTimestamp();
        var attempts = 1;
        // The node's span on this worker, a child of the scheduler's span of the run; each attempt's node.run nests in it.
        using var span = DistributedTracing.Start("node.execute", System.Diagnostics.ActivityKind.Consumer, assign.TraceParent);
        span?.SetTag(PipelineRunner.Diagnostics.PipelineRunnerDiagnostics.NodeTag, spec.Name);
        span?.SetTag(PipelineRunner.Diagnostics.PipelineRunnerDiagnostics.WorkerTag, Id);
        try
        {
            var node = _resolver.FindNode(spec.Name);
            if (node is null)
            {
                Refuse(outbox, assign, $"Worker '{Id}' has no node named '{spec.Name}' in the pipelines registered in its process. Run the same build of the app on the driver and the workers.");
                return;
            }

            if (NodeFingerprint.Of(node) != spec.Fingerprint)
            {
                var build = NodeFingerprint.BuildOf(node);
                Refuse(outbox, assign, build != spec.Build
                    ? $"Worker '{Id}' refuses node '{spec.Name}': it runs a different build of the app than the driver (worker: {build}; driver: {(spec.Build.Length == 0 ? "not stated" : spec.Build)}). Run the same build of the app on the driver and the workers."
                    : $"Worker '{Id}' refuses node '{spec.Name}': its definition differs from the driver's (the worker has {NodeFingerprint.Describe(node)}). Run the same build of the app on the driver and the workers.");
                return;
            }

            var inline = new InlineValues();
            foreach (var value in assign.Inputs)
            {
                inline.Inputs[value.Name] = value.Data.Memory;
            }

            var catalog = new DataCatalog();
            foreach (var dataset in spec.Datasets)
            {
                catalog.Add(
                    dataset.Name,
                    dataset.DefinitionJson.Length == 0
                        // Transcoded names (x@a, x@b) are one dataset: one store key, the name without transcoding.
                        ? new StoreDataset(DatasetNames.StripTranscoding(dataset.Name), _ => ValueTask.FromResult(channel.Store), dataset.Untyped, inline)
                        : _datasetTypes.Create(DatasetSpecs.Parse(dataset)));
            }

            var pipeline = _singleNodePipelines.GetOrAdd(node, static n => new Pipeline([n]));
            // Inputs are fetched concurrently (IsAsync). Node and dataset hooks run here, where the node runs: the app's
            // (WorkerOptions.Hooks), or in the driver's local pool the hooks of the run that assigned the node.
            var retry = spec.Retry is { MaxAttempts: > 1 } r
                ? new RetryPolicy
                {
                    MaxAttempts = r.MaxAttempts,
                    Delay = TimeSpan.FromMilliseconds(Math.Max(0, r.DelayMs)),
                    BackoffMultiplier = Math.Max(1, r.Multiplier),
                    MaxDelay = TimeSpan.FromMilliseconds(Math.Max(0, r.MaxDelayMs)),
                }
                : RetryPolicy.None;
            // The node's loads and saves, timed and sized for the driver's performance report (NodeCompleted), when it
            // records one: otherwise nothing extra per node.
            var recorder = assign.Measure ? new PerformanceRecorder() : null;
            var runOptions = new RunOptions
            {
                Performance = recorder,
                Hooks = RunHooks?.For(assign.RunId) ?? _options.Hooks,
                SessionId = assign.SessionId.Length == 0 ? assign.RunId : assign.SessionId,
                // Each retried attempt is reported to the driver, whose log and progress show it (no reporter, and no
                // progress events, for a node that is not retried).
                Progress = (node.RetryPolicy ?? retry).MaxAttempts == 1 ? null : new RetryReporter(progress =>
                {
                    attempts = progress.Attempt + 1;
                    outbox.TryWrite(new WorkerMessage
                    {
                        Retrying = new NodeRetrying
                        {
                            RunId = assign.RunId,
                            Node = spec.Name,
                            Worker = Id,
                            Attempt = progress.Attempt,
                            ErrorType = progress.Error?.GetType().FullName ?? string.Empty,
                            Message = progress.Error?.Message ?? string.Empty,
                            DelayMs = progress.RetryDelay.TotalMilliseconds,
                        },
                    });
                }),
            };
            var runnerOptions = new RunnerOptions { IsAsync = true, RetryPolicy = retry, TimeProvider = _options.TimeProvider };
            var run = new PipelineRun(pipeline, catalog, runnerOptions, runOptions, nameof(PipelineWorker), _logger);
            await run.RunNodeAsync(node, cts.Token).ConfigureAwait(false);
            var completed = new NodeCompleted
            {
                RunId = assign.RunId,
                Node = spec.Name,
                Worker = Id,
                Seconds = _options.TimeProvider.GetElapsedTime(started).TotalSeconds,
                Attempts = attempts,
            };
            if (recorder is not null)
            {
                var measured = recorder.CreateReport().Nodes[0];
                completed.LoadSeconds = measured.LoadTime.TotalSeconds;
                completed.SaveSeconds = measured.SaveTime.TotalSeconds;
                if (measured.LoadBytes is { } loaded)
                {
                    completed.LoadBytes = loaded;
                }

                if (measured.SaveBytes is { } saved)
                {
                    completed.SaveBytes = saved;
                }
            }

            completed.Outputs.AddRange(inline.Outputs);
            outbox.TryWrite(new WorkerMessage { Completed = completed });
        }
        catch (Exception ex) when (cts.IsCancellationRequested && handingBack())
        {
            // Cancelled to be handed back on a graceful leave: not a failure, the scheduler requeues the node.
            Log.HandedBack(_logger, spec.Name, Id, ex.GetType().Name);
        }
        catch (Exception) when (cts.IsCancellationRequested && connection.IsCancellationRequested)
        {
            // The connection was lost: not the node's failure, and nobody to tell; the scheduler requeues the node.
            Log.Abandoned(_logger, spec.Name, Id);
        }
        catch (Exception ex)
        {
            var cause = ex is NodeExecutionException { InnerException: { } inner } ? inner : ex;
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, cause.Message);
            Log.NodeFailed(_logger, spec.Name, Id, cause.GetType().Name, cause.Message); // one line; the stack at Debug
            Log.NodeFailedDetail(_logger, spec.Name, Id, cause);
            outbox.TryWrite(new WorkerMessage
            {
                Failed = new NodeFailed
                {
                    RunId = assign.RunId,
                    Node = spec.Name,
                    Worker = Id,
                    ErrorType = cause.GetType().FullName ?? cause.GetType().Name,
                    Message = cause.Message,
                    StackTrace = cause.ToString(),
                    Attempts = attempts,
                },
            });
        }
        finally
        {
            // Only this execution's entry: after a reconnect the same node may run again under the same key.
            _running.TryRemove(KeyValuePair.Create((assign.RunId, spec.Name), cts));
            cts.Dispose();
            if (Volatile.Read(ref _draining) == 1)
            {
                _nodeEnded.Release();
            }
        }
    }

    private void Refuse(ChannelWriter<WorkerMessage> outbox, AssignNode assign, string message)
    {
        Log.Refused(_logger, assign.Node.Name, Id, message);
        outbox.TryWrite(new WorkerMessage
        {
            Failed = new NodeFailed
            {
                RunId = assign.RunId,
                Node = assign.Node.Name,
                Worker = Id,
                ErrorType = typeof(NodeRefusedException).FullName!,
                Message = message,
                Refused = true,
            },
        });
    }

    /// <summary>One attempt to serve the scheduler: what the loop knew before it, and whether it connected.</summary>
    private sealed class Attempt(bool wasConnectedBefore, TimeSpan? retryingFor)
    {
        public bool WasConnectedBefore { get; } = wasConnectedBefore;

        /// <summary>How long the worker had been trying when this attempt started; null for the first attempt.</summary>
        public TimeSpan? RetryingFor { get; } = retryingFor;

        /// <summary>Whether the scheduler accepted the worker's registration on this attempt.</summary>
        public bool Connected { get; set; }
    }

    /// <summary>The event id of a node failure logged by the worker; the driver reports the same failure.</summary>
    internal const int NodeFailedEventId = 202;

    private static partial class Log
    {
        [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Worker '{WorkerId}' connected to the scheduler at {Address}")]
        public static partial void Connected(ILogger logger, string workerId, Uri address);

        [LoggerMessage(EventId = NodeFailedEventId, Level = LogLevel.Warning, Message = "Node '{NodeName}' failed on worker '{WorkerId}': {ErrorType}: {ErrorMessage}")]
        public static partial void NodeFailed(ILogger logger, string nodeName, string workerId, string errorType, string errorMessage);

        [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "Node '{NodeName}' failed on worker '{WorkerId}'")]
        public static partial void NodeFailedDetail(ILogger logger, string nodeName, string workerId, Exception exception);

        [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "Node '{NodeName}' refused by worker '{WorkerId}': {Reason}")]
        public static partial void Refused(ILogger logger, string nodeName, string workerId, string reason);

        [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Worker '{WorkerId}': connection to the scheduler at {Address} lost, retrying in {Seconds} s ({Reason})")]
        public static partial void ConnectionLost(ILogger logger, string workerId, Uri address, string seconds, string reason);

        [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Worker '{WorkerId}': cannot reach the scheduler at {Address}, retrying in {Seconds} s ({Reason})")]
        public static partial void Unreachable(ILogger logger, string workerId, Uri address, string seconds, string reason);

        [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "Worker '{WorkerId}' reconnected to the scheduler at {Address} after {Seconds} s")]
        public static partial void Reconnected(ILogger logger, string workerId, Uri address, string seconds);

        [LoggerMessage(EventId = 209, Level = LogLevel.Information, Message = "Worker '{WorkerId}' connected to the scheduler at {Address} after {Seconds} s of retrying")]
        public static partial void ConnectedAfterRetrying(ILogger logger, string workerId, Uri address, string seconds);

        [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "Worker '{WorkerId}' is leaving: it takes no new nodes and lets {Running} running node(s) finish")]
        public static partial void Leaving(ILogger logger, string workerId, int running);

        [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Node '{NodeName}' stopped on worker '{WorkerId}': the connection to the scheduler was lost, and the scheduler runs the node again")]
        public static partial void Abandoned(ILogger logger, string nodeName, string workerId);

        [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Node '{NodeName}' handed back by leaving worker '{WorkerId}' ({Reason})")]
        public static partial void HandedBack(ILogger logger, string nodeName, string workerId, string reason);
    }

    /// <summary>Passes a node's retried attempts on; the worker reports nothing else of a node's progress.</summary>
    private sealed class RetryReporter(Action<NodeProgress> report) : IProgress<NodeProgress>
    {
        public void Report(NodeProgress value)
        {
            if (value.Kind == NodeProgressKind.Retrying)
            {
                report(value);
            }
        }
    }
}
