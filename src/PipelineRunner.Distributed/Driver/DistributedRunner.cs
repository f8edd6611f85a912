using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Pipelines;
using PipelineRunner.Reporting;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed;

/// <summary>
/// Runs every node of a pipeline on workers, the .NET counterpart of Kedro's Dask runner: it submits each node as a
/// future with its upstream nodes as dependencies, the scheduler dispatches ready nodes to workers, workers exchange
/// datasets through the scheduler's store (or open catalog files themselves), and this driver releases each store
/// dataset when its load count reaches zero. With no <see cref="DistributedRunnerOptions.SchedulerAddress"/> it starts a
/// local scheduler and worker pool in-process on first use; disposing the runner stops them.
/// </summary>
public sealed partial class DistributedRunner : AbstractRunner, IAsyncDisposable
{
    private readonly DistributedRunnerOptions _options;
    private readonly ChannelTimeouts _timeouts;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly Workers.LocalNodeResolver _localNodes = new();
    private readonly Workers.RunHookRegistry _localHooks = new();
    private LocalCluster? _cluster;
    private SchedulerChannel? _channel;
    private ReleaseQueue? _releases;

    /// <summary>Creates the runner. Nothing starts until the first run (or <see cref="StartAsync"/>).</summary>
    /// <param name="options">Options; a local pool with one worker per processor when null.</param>
    /// <param name="loggerFactory">Logging for the runner and any local scheduler and workers; none when null.</param>
    /// <exception cref="ArgumentException">A timeout of <paramref name="options"/> is out of range (the message names it).</exception>
    public DistributedRunner(DistributedRunnerOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(options ??= new DistributedRunnerOptions(), (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DistributedRunner>())
    {
        _options = options;
        _timeouts = ChannelTimeouts.Create(nameof(DistributedRunnerOptions), _options.ConnectTimeout, _options.PingDelay, _options.PingTimeout);
        if (_options.NoWorkersWarningInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"DistributedRunnerOptions.NoWorkersWarningInterval must be positive, but was {_options.NoWorkersWarningInterval}.", nameof(options));
        }

        if (_options.WaitForWorkersTimeout <= TimeSpan.Zero && _options.WaitForWorkersTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException(
                $"DistributedRunnerOptions.WaitForWorkersTimeout must be positive, or Timeout.InfiniteTimeSpan to wait as long as it takes, but was {_options.WaitForWorkersTimeout}.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(_options.TimeProvider, "options.TimeProvider");
        if (_options.SchedulerAddress is { } address)
        {
            SchedulerAddressRule.Check(address, "DistributedRunnerOptions.SchedulerAddress");
        }

        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The scheduler's address, once connected.</summary>
    public Uri? SchedulerAddress => _channel?.Address;

    /// <summary>
    /// The live dashboard of the local pool's scheduler (for example <c>http://127.0.0.1:41234/</c>) once started, when
    /// <see cref="DistributedRunnerOptions.LocalScheduler"/>'s <see cref="Scheduling.SchedulerOptions.DashboardPort"/> asks
    /// for one (0 for a free port); null otherwise, and with a remote scheduler (whose own dashboard it prints).
    /// </summary>
    public Uri? DashboardAddress => _cluster?.Scheduler.DashboardAddress;

    /// <summary>Starts the local pool (or connects to the remote scheduler) now rather than on the first run.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the scheduler is reachable.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default) => await ConnectAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The names of the datasets in the scheduler's store (the seed's <c>list_datasets</c>), sorted.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The names and the bytes they hold.</returns>
    public async Task<(IReadOnlyList<string> Names, long TotalBytes)> ListStoreAsync(CancellationToken cancellationToken = default)
    {
        var channel = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await _releases!.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await channel.Store.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw await UnavailableAsync(ex, connected: false).ConfigureAwait(false);
        }
    }

    /// <summary>Removes datasets from the scheduler's store.</summary>
    /// <param name="names">Dataset names.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many were there.</returns>
    public async Task<int> ReleaseStoreAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        var channel = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await channel.Store.ReleaseAsync(names, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw await UnavailableAsync(ex, connected: false).ConfigureAwait(false);
        }
    }

    /// <summary>Datasets the catalog lacks live in the scheduler's store.</summary>
    /// <param name="datasetName">The dataset name.</param>
    /// <returns>A store-backed dataset.</returns>
    public override IDataset CreateDefaultDataset(string datasetName) => NewStoreDataset(datasetName);

    /// <summary>Stops the local pool, if one was started, and closes the connection.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_releases is not null)
        {
            await _releases.DisposeAsync().ConfigureAwait(false);
        }

        _channel?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }

        _connectGate.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        SchedulerChannel channel;
        RunPlan plan;
        try
        {
            channel = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            plan = await PrepareAsync(run, channel, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (FindRpc(ex) is { } rpc && !cancellationToken.IsCancellationRequested)
        {
            throw await UnavailableAsync(rpc, connected: false).ConfigureAwait(false);
        }

        var completed = false;
        var lost = false;
        if (_cluster is not null && run.Hooks.Count > 0)
        {
            // Node and dataset hooks run where the node runs: the local pool's workers take this run's hooks.
            _localHooks.Add(plan.Request.RunId, run.Hooks);
        }

        try
        {
            if (_cluster is null)
            {
                await StreamWatchingWorkersAsync(run, channel, plan, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await StreamRunAsync(run, channel, plan, cancellationToken).ConfigureAwait(false);
            }

            if (run.Failures.Count == 0)
            {
                await CopyBackOutputsAsync(run, plan, cancellationToken).ConfigureAwait(false);
                completed = true;
            }
        }
        catch (SchedulerUnavailableException ex) when (ex.InnerException is RpcException)
        {
            lost = true; // the connection broke (not: no workers came)
            throw;
        }
        finally
        {
            _localHooks.Remove(plan.Request.RunId);

            // Copies of the driver's own inputs never outlive the run; a failed or cancelled run frees all its datasets.
            var release = completed ? plan.PublishedInputs : plan.StoreDatasets;
            if (lost)
            {
                // Asking a scheduler that stopped answering would wait for it all over again (a new connection, its
                // pings unanswered); it frees a vanished driver's datasets itself after SchedulerOptions.DriverLeaseTimeout.
                Log.ReleaseSkipped(Logger, release.Count);
            }
            else
            {
                try
                {
                    await _releases!.FlushAsync().ConfigureAwait(false);
                    await channel.Store.ReleaseAsync(release, CancellationToken.None).ConfigureAwait(false);
                }
                catch (RpcException ex)
                {
                    Log.ReleaseFailed(Logger, release.Count, ex);
                }
            }
        }

        var failed = run.Failures.Select(f => f.NodeName).ToHashSet(StringComparer.Ordinal);
        var skipped = run.Pipeline.Nodes.Where(n => !failed.Contains(n.Name) && !run.IsCompleted(n)).ToList();
        if (failed.Count > 0 && Options.FailurePolicy == NodeFailurePolicy.ContinueIndependentNodes)
        {
            // As the in-process runners: the nodes a failure kept from running are reported skipped (progress, report).
            foreach (var node in skipped)
            {
                run.RecordSkipped(node);
            }
        }

        run.ThrowFailures(skipped);
    }

    private async Task<RunPlan> PrepareAsync(PipelineRun run, SchedulerChannel channel, CancellationToken cancellationToken)
    {
        if (Options.RetryPolicy is { MaxAttempts: > 1, HasDefaultPredicate: false })
        {
            throw new ArgumentException(
                "DistributedRunnerOptions.RetryPolicy has a custom IsTransient predicate, which cannot be sent to workers. "
                + "Mark transient failures by throwing TransientException, or give the nodes their policy in code with Node.WithRetry (workers have the same code).");
        }

        var pipeline = run.Pipeline;
        if (_cluster is not null)
        {
            _localNodes.Register(pipeline);
        }

        var inputs = pipeline.Inputs();
        var outputs = pipeline.Outputs();
        var declared = DeclaredOutputTypes(pipeline);
        var specs = new Dictionary<string, DatasetSpec>(StringComparer.Ordinal);
        var plan = new RunPlan();
        var toPublish = new List<(string Name, IDataset Source, StoreDataset Copy)>();
        foreach (var name in pipeline.Datasets())
        {
            var dataset = run.Catalog.GetDataset(name);
            if (dataset is StoreDataset || DatasetSpecs.HasDefinition(dataset))
            {
                specs[name] = DatasetSpecs.For(name, dataset);
                if (dataset is StoreDataset)
                {
                    plan.StoreDatasets.Add(name);
                }

                continue;
            }

            // A live object only the driver has (a memory dataset, parameters): workers read and write a store copy.
            var untyped = DatasetNames.IsParameter(name);
            var copy = NewStoreDataset(name, untyped);
            if (inputs.Contains(name))
            {
                // The driver's inputs are published together, not one after another.
                toPublish.Add((name, dataset, copy));
                plan.PublishedInputs.Add(name);
            }
            else if (outputs.Contains(name))
            {
                plan.CopyBack.Add((name, dataset, declared.GetValueOrDefault(name) ?? typeof(object)));
            }

            run.Catalog.AddOrReplace(name, copy); // the run's working copy: no "Replacing dataset" warning
            plan.StoreDatasets.Add(name);
            specs[name] = new DatasetSpec { Name = name, Untyped = untyped };
        }

        try
        {
            // Together, at most four at a time (each holds its serialized value).
            using var gate = new SemaphoreSlim(4);
            await Task.WhenAll(toPublish.Select(async p =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await PublishCopyAsync(p.Name, p.Source, p.Copy, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        }
        catch
        {
            // One input could not be published (every publish has ended): the others must not stay in the store.
            try
            {
                await channel.Store.ReleaseAsync(plan.PublishedInputs, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                Log.ReleaseFailed(Logger, plan.PublishedInputs.Count, ex);
            }

            throw;
        }

        plan.Request = new SubmitRunRequest
        {
            RunId = Guid.NewGuid().ToString("N"),
            ContinueOnFailure = Options.FailurePolicy == NodeFailurePolicy.ContinueIndependentNodes,
            ReportStarted = run.HasProgress || run.Performance is not null, // the report's queue waits and timeline
            Measure = run.Performance is not null, // workers time and size loads and saves only for a report
            SessionId = run.SessionId,
            TraceParent = DistributedTracing.CurrentTraceParent(), // the run's span: the scheduler's and workers' spans join its trace
        };
        foreach (var node in pipeline.Nodes)
        {
            var spec = new NodeSpec { Name = node.Name, Fingerprint = NodeFingerprint.Of(node), Build = NodeFingerprint.BuildOf(node) };
            spec.Dependencies.AddRange(pipeline.DependenciesOf(node).Select(n => n.Name));
            foreach (var name in node.Inputs.Concat(node.Outputs).Distinct(StringComparer.Ordinal))
            {
                spec.Datasets.Add(specs[name]);
            }

            spec.Outputs.AddRange(node.Outputs);
            spec.Tags.AddRange(node.Tags);
            spec.StoreInputs.AddRange(node.Inputs.Distinct(StringComparer.Ordinal).Where(i => specs[i].DefinitionJson.Length == 0));
            if (Options.RetryPolicy is { MaxAttempts: > 1 } retry)
            {
                spec.Retry = new RetrySpec
                {
                    MaxAttempts = retry.MaxAttempts,
                    DelayMs = retry.Delay.TotalMilliseconds,
                    Multiplier = retry.BackoffMultiplier,
                    MaxDelayMs = retry.MaxDelay.TotalMilliseconds,
                };
            }

            plan.Request.Nodes.Add(spec);
        }

        return plan;
    }

    private async Task StreamRunAsync(PipelineRun run, SchedulerChannel channel, RunPlan plan, CancellationToken cancellationToken)
    {
        var request = plan.Request;
        var started = new Dictionary<string, long>(StringComparer.Ordinal);
        var accepted = false;
        run.Performance?.RecordSubmitted(); // connected, inputs published: from here on nodes wait for workers
        try
        {
            using var call = channel.Client.SubmitRun(request, cancellationToken: cancellationToken);
            await call.ResponseHeadersAsync.ConfigureAwait(false); // the scheduler accepted the run
            accepted = true;
            await foreach (var runEvent in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (runEvent.KindCase)
                {
                    case RunEvent.KindOneofCase.Started:
                        started[runEvent.Started.Node] = _options.TimeProvider.GetTimestamp();
                        var starting = Resolve(run, runEvent.Started.Node);
                        run.Performance?.RecordStarted(starting, runEvent.Started.Worker);
                        run.ReportStarted(starting);
                        break;
                    case RunEvent.KindOneofCase.Completed:
                        var node = Resolve(run, runEvent.Completed.Node);
                        Log.CompletedOnWorker(Logger, node.Name, runEvent.Completed.Worker, runEvent.Completed.Seconds);
                        run.Performance?.RecordEnded(node, Measured(runEvent.Completed));
                        await run.CompleteNodeAsync(node, Elapsed(started, node.Name), cancellationToken).ConfigureAwait(false);
                        break;
                    case RunEvent.KindOneofCase.Retrying:
                        var retrying = runEvent.Retrying;
                        Log.Retrying(Logger, retrying.Node, retrying.Worker, retrying.ErrorType, retrying.Message, retrying.Attempt, retrying.DelayMs);
                        run.ReportRetrying(
                            Resolve(run, retrying.Node),
                            retrying.Attempt,
                            new RemoteNodeException(retrying.Node, retrying.Worker, retrying.ErrorType, retrying.Message, string.Empty),
                            TimeSpan.FromMilliseconds(retrying.DelayMs));
                        break;
                    case RunEvent.KindOneofCase.Failed:
                        var failed = runEvent.Failed;
                        _ = Resolve(run, failed.Node);
                        // The worker called the node's error hooks where the node ran; the driver records the failure.
                        Exception cause = failed.Refused ? new NodeRefusedException(failed.Message)
                            : failed.Poisoned ? new PoisonNodeException(failed.Message)
                            : new RemoteNodeException(failed.Node, failed.Worker, failed.ErrorType, failed.Message, failed.StackTrace);
                        run.Performance?.RecordEnded(
                            Resolve(run, failed.Node),
                            new NodeMeasurements { Location = failed.Worker, WallTime = Elapsed(started, failed.Node), Attempts = Math.Max(1, failed.Attempts) },
                            cause);
                        run.RecordFailure(new NodeExecutionException(failed.Node, cause), Elapsed(started, failed.Node));
                        break;
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The distributed run was cancelled.", ex, cancellationToken);
        }
        catch (RpcException ex)
        {
            throw await UnavailableAsync(ex, connected: accepted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Streams the run while watching that a remote scheduler has workers: with none connected, it warns at once and
    /// every <see cref="DistributedRunnerOptions.NoWorkersWarningInterval"/>, and fails the run after
    /// <see cref="DistributedRunnerOptions.WaitForWorkersTimeout"/> without any.
    /// </summary>
    private async Task StreamWatchingWorkersAsync(PipelineRun run, SchedulerChannel channel, RunPlan plan, CancellationToken cancellationToken)
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = WatchWorkersAsync(channel, watching);
        try
        {
            await StreamRunAsync(run, channel, plan, watching.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await watch.ConfigureAwait(false); // throws why the run was stopped
            throw;
        }
        finally
        {
            await watching.CancelAsync().ConfigureAwait(false);
            if (!watch.IsCompleted || watch.IsFaulted)
            {
                // The run ended first (or failed on its own): the watch ends with it, and its outcome is not the run's.
                await Task.WhenAny(watch).ConfigureAwait(false);
            }
        }
    }

    private async Task WatchWorkersAsync(SchedulerChannel channel, CancellationTokenSource watching)
    {
        var cancellationToken = watching.Token;
        var clock = _options.TimeProvider;
        long? since = null;
        try
        {
            while (true)
            {
                var info = await channel.Client.InfoAsync(new InfoRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!info.HasWorkers)
                {
                    return; // a scheduler of an earlier version does not say
                }

                if (info.Workers > 0)
                {
                    since = null;
                }
                else
                {
                    since ??= clock.GetTimestamp();
                    var waited = clock.GetElapsedTime(since.Value);
                    if (_options.WaitForWorkersTimeout != Timeout.InfiniteTimeSpan && waited >= _options.WaitForWorkersTimeout)
                    {
                        var timedOut = new SchedulerUnavailableException(
                            $"No workers connected to the scheduler at {channel.Address} within {_options.WaitForWorkersTimeout.TotalSeconds:0.#} s "
                            + $"(DistributedRunnerOptions.WaitForWorkersTimeout, --wait-for-workers); start workers with '{AppName} worker --scheduler "
                            + $"{channel.Address}'.");
                        await watching.CancelAsync().ConfigureAwait(false); // stops the run's stream
                        throw timedOut;
                    }

                    Log.NoWorkers(Logger, channel.Address, waited.TotalSeconds, AppName);
                }

                await Task.Delay(_options.NoWorkersWarningInterval, clock, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || (ex is RpcException && cancellationToken.IsCancellationRequested))
        {
            // The run ended.
        }
        catch (RpcException)
        {
            // The run's own stream reports a lost scheduler.
        }
    }

    /// <summary>The app's command name, for the worker command the messages suggest.</summary>
    private static string AppName => System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "myapp";

    private static async Task PublishCopyAsync(string name, IDataset source, StoreDataset copy, CancellationToken cancellationToken)
    {
        // From the dataset itself: the catalog entry is replaced by the store copy meanwhile. A catalog of this one
        // dataset names it in a load error.
        var original = new DataCatalog();
        original.Add(name, source);
        var value = await original.LoadAsync(name, typeof(object), cancellationToken).ConfigureAwait(false);
        await copy.SaveAsync(value, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyBackOutputsAsync(PipelineRun run, RunPlan plan, CancellationToken cancellationToken)
    {
        foreach (var (name, dataset, type) in plan.CopyBack)
        {
            var value = await run.Catalog.LoadAsync(name, type, cancellationToken).ConfigureAwait(false);
            await dataset.SaveAsync(value, cancellationToken).ConfigureAwait(false);
        }
    }

    private static RpcException? FindRpc(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is RpcException rpc)
            {
                return rpc;
            }
        }

        return null;
    }

    private static NodeMeasurements Measured(NodeCompleted completed) => new()
    {
        Location = completed.Worker,
        WallTime = TimeSpan.FromSeconds(completed.Seconds),
        Attempts = Math.Max(1, completed.Attempts),
        LoadTime = TimeSpan.FromSeconds(completed.LoadSeconds),
        SaveTime = TimeSpan.FromSeconds(completed.SaveSeconds),
        LoadBytes = completed.HasLoadBytes ? completed.LoadBytes : null,
        SaveBytes = completed.HasSaveBytes ? completed.SaveBytes : null,
    };

    private static Node Resolve(PipelineRun run, string name) =>
        run.Pipeline.FindNode(name) ?? throw new InvalidOperationException($"The scheduler reported node '{name}', which is not in the pipeline being run.");

    private TimeSpan Elapsed(Dictionary<string, long> started, string node) =>
        started.TryGetValue(node, out var at) ? _options.TimeProvider.GetElapsedTime(at) : TimeSpan.Zero;

    /// <remarks>Transcoded names (<c>x@a</c>, <c>x@b</c>) are one dataset: one store key, the name without transcoding, as on workers.</remarks>
    private StoreDataset NewStoreDataset(string name, bool untyped = false) =>
        new(DatasetNames.StripTranscoding(name), async ct => (await ConnectAsync(ct).ConfigureAwait(false)).Store, untyped, releases: () => _releases);

    /// <summary>
    /// The scheduler failed a call: one sentence naming it and what went wrong. A scheduler that answered with a status
    /// of its own (a run it does not accept: too many nodes, a repeated run id) is an <see cref="InvalidOperationException"/>
    /// with its reason; a scheduler that could not be reached or stopped answering is a <see cref="SchedulerUnavailableException"/>
    /// with the cause as an <c>Unavailable</c> gRPC error.
    /// </summary>
    private async Task<Exception> UnavailableAsync(RpcException error, bool connected)
    {
        if (error.Status.DebugException is null
            && error.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.OutOfRange or StatusCode.ResourceExhausted
            && !error.Status.Detail.Contains("HTTP status code", StringComparison.Ordinal))
        {
            return new InvalidOperationException(
                $"The scheduler at {_channel?.Address?.ToString() ?? _options.SchedulerAddress?.ToString() ?? "(local)"} refused the request: {error.Status.Detail}", error);
        }

        if (_channel is not { } channel)
        {
            return new SchedulerUnavailableException($"Cannot reach the scheduler: {error.Status.Detail}", error);
        }

        var failure = await SchedulerFailure.ExplainAsync(error, channel, CancellationToken.None).ConfigureAwait(false);
        return new SchedulerUnavailableException(failure.Sentence(subject: null, connected), failure.Error);
    }

    private async ValueTask<SchedulerChannel> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_channel is { } existing)
        {
            return existing;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_channel is null)
            {
                var address = _options.SchedulerAddress;
                if (address is null)
                {
                    _cluster = await LocalCluster.StartAsync(
                        _options.LocalWorkers, _options.LocalWorkerConcurrency, _options.LocalScheduler, _localNodes, _localHooks, _loggerFactory, cancellationToken).ConfigureAwait(false);
                    address = _cluster.Scheduler.Address;
                    if (_cluster.Scheduler.DashboardAddress is { } dashboard)
                    {
                        Log.LocalDashboard(Logger, dashboard.ToString());
                    }
                }

                var channel = new SchedulerChannel(address, _timeouts, _options.Security, Logger, _options.TimeProvider);
                _releases = new ReleaseQueue(channel.Store, channel.Clock);
                _channel = channel;
            }

            return _channel;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private sealed class RunPlan
    {
        public SubmitRunRequest Request { get; set; } = new();

        public List<string> StoreDatasets { get; } = [];

        public List<string> PublishedInputs { get; } = [];

        public List<(string Name, IDataset Dataset, Type Type)> CopyBack { get; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Node '{NodeName}' failed on worker '{WorkerId}' with transient {ErrorType}: {ErrorMessage} (attempt {Attempt}); retrying in {DelayMs} ms")]
        public static partial void Retrying(ILogger logger, string nodeName, string workerId, string errorType, string errorMessage, int attempt, double delayMs);

        [LoggerMessage(EventId = 312, Level = LogLevel.Information, Message = "Dashboard of the local pool at {Url}")]
        public static partial void LocalDashboard(ILogger logger, string url);


        [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "No workers are connected to the scheduler at {Address}; the run waits for workers ({Seconds:0} s so far). Start them with '{App} worker --scheduler {Address}'")]
        public static partial void NoWorkers(ILogger logger, Uri address, double seconds, string app);

        [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "Node '{NodeName}' ran on worker '{WorkerId}' in {Seconds:0.###} s")]
        public static partial void CompletedOnWorker(ILogger logger, string nodeName, string workerId, double seconds);

        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Could not release {Count} store dataset(s) after the run; the scheduler may be gone")]
        public static partial void ReleaseFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(EventId = 311, Level = LogLevel.Debug, Message = "Not releasing {Count} store dataset(s): the scheduler was lost; it frees them itself after its driver lease")]
        public static partial void ReleaseSkipped(ILogger logger, int count);
    }
}
