using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The scheduler's gRPC endpoints: runs, the worker stream and the dataset store. Bound to the wire contract by
/// <see cref="SchedulerMethodProvider"/>.
/// </summary>
internal sealed partial class SchedulerService(
    SchedulerState state,
    DatasetStore store,
    SchedulerOptions options,
    BulkEndpoint bulk,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<SchedulerService> logger)
{
    /// <summary>Workers, runs in progress and store use, for <c>pipeline-runner status</c>; read-only.</summary>
    public Task<StatusResponse> Status(StatusRequest request, ServerCallContext context) => Task.FromResult(state.Status());

    public Task<InfoResponse> Info(InfoRequest request, ServerCallContext context) =>
        Task.FromResult(new InfoResponse { BulkPort = bulk.Port, BulkAddress = bulk.AdvertisedAddress, BulkTls = bulk.Tls, Workers = state.WorkerCount });

    public async Task SubmitRun(SubmitRunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context)
    {
        RunState run;
        // The scheduler's span of the run, a child of the driver's; workers' node spans are its children.
        using var span = DistributedTracing.Start("pipeline.schedule", System.Diagnostics.ActivityKind.Server, request.TraceParent);
        if (span is not null)
        {
            span.SetTag("pipelinerunner.run", request.RunId);
            span.SetTag("pipelinerunner.nodes", request.Nodes.Count);
            request.TraceParent = span.Id ?? request.TraceParent;
        }

        try
        {
            if (string.IsNullOrEmpty(request.RunId))
            {
                throw new ArgumentException("A run needs a run id.");
            }

            run = state.AddRun(request);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }

        var started = timeProvider.GetTimestamp();
        var (completed, failed) = (0, 0);
        var outcome = "cancelled by its driver";
        SchedulerLog.RunSubmitted(logger, run.Id, request.Nodes.Count, state.WorkerCount);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            // Headers at once: the driver knows the run was accepted before its first event.
            await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
            await foreach (var runEvent in run.Events.Reader.ReadAllAsync(stopping.Token).ConfigureAwait(false))
            {
                completed += runEvent.KindCase == RunEvent.KindOneofCase.Completed ? 1 : 0;
                failed += runEvent.KindCase == RunEvent.KindOneofCase.Failed ? 1 : 0;
                await responseStream.WriteAsync(runEvent, stopping.Token).ConfigureAwait(false);
            }

            outcome = failed == 0 ? "succeeded" : "failed";
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // The driver is told why its run ends, rather than seeing the connection drop.
            outcome = "stopped: the scheduler is shutting down";
            throw new RpcException(new Status(StatusCode.Unavailable, "The scheduler is shutting down; the run was stopped."));
        }
        finally
        {
            SchedulerLog.RunFinished(logger, run.Id, outcome, completed, failed, timeProvider.GetElapsedTime(started).TotalSeconds);
            // The driver cancelled or went away: nothing of this run may keep running, and what it stored is freed
            // once its lease expires (a driver that cancelled releases its datasets itself; that is harmless).
            if (state.CancelRun(run))
            {
                _ = Task.Run(() => ReleaseAbandonedAsync(run), CancellationToken.None);
            }
        }
    }

    private async Task ReleaseAbandonedAsync(RunState run)
    {
        try
        {
            await state.ReleaseAbandonedAsync(run, lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The scheduler is stopping; the store goes with it.
        }
    }

    public async Task Connect(IAsyncStreamReader<WorkerMessage> requestStream, IServerStreamWriter<SchedulerMessage> responseStream, ServerCallContext context)
    {
        bool first;
        try
        {
            first = await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException || context.CancellationToken.IsCancellationRequested)
        {
            return; // the connection went away (or the scheduler is stopping) before the worker registered
        }

        if (!first && context.CancellationToken.IsCancellationRequested)
        {
            return;
        }

        if (!first
            || requestStream.Current.KindCase != WorkerMessage.KindOneofCase.Register
            || string.IsNullOrWhiteSpace(requestStream.Current.Register.WorkerId)
            || requestStream.Current.Register.WorkerId.Length > 256)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A worker must first send a registration with its worker id (1 to 256 characters)."));
        }

        if (requestStream.Current.Register.Concurrency is < 0 or > 1024)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"A worker's concurrency must be 1 to 1024, got {requestStream.Current.Register.Concurrency}."));
        }

        var register = requestStream.Current.Register;
        try
        {
            // Headers first, marked: the worker knows it is registered (and only then counts itself connected). They
            // go before the worker can be given a node, whose message would otherwise start the response without them.
            await context.WriteResponseHeadersAsync([new Metadata.Entry(Wire.RegisteredHeader, "true")]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException || context.CancellationToken.IsCancellationRequested)
        {
            return; // the connection went away (or the scheduler is stopping) while registering
        }

        var worker = state.AddWorker(register.WorkerId, register.Concurrency);
        worker.LastSeen = timeProvider.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var writer = Task.Run(
            async () =>
            {
                await foreach (var item in worker.Outbox.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    await responseStream.WriteAsync(state.Prepare(item), stop.Token).ConfigureAwait(false);
                }
            },
            stop.Token);
        // A worker that sends nothing, not even a heartbeat, for WorkerTimeout (by the TimeProvider) is declared dead.
        using var silence = new CancellationTokenSource(options.WorkerTimeout, timeProvider);
        using var alive = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, silence.Token);
        RpcException? malformed = null;
        try
        {
            while (await requestStream.MoveNext(alive.Token).ConfigureAwait(false))
            {
                silence.CancelAfter(options.WorkerTimeout);
                worker.LastHeard = timeProvider.GetTimestamp();
                worker.LastSeen = timeProvider.GetUtcNow();
                var message = requestStream.Current;
                switch (message.KindCase)
                {
                    case WorkerMessage.KindOneofCase.Completed:
                        state.OnCompleted(worker, message.Completed);
                        break;
                    case WorkerMessage.KindOneofCase.Failed:
                        state.OnFailed(worker, message.Failed);
                        break;
                    case WorkerMessage.KindOneofCase.Leave:
                        state.OnLeave(worker);
                        break;
                    case WorkerMessage.KindOneofCase.Retrying:
                        state.OnRetrying(worker, message.Retrying);
                        break;
                    case WorkerMessage.KindOneofCase.Heartbeat:
                        worker.MemoryBytes = message.Heartbeat.MemoryBytes;
                        break;
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            malformed = ex; // a message that is not a WorkerMessage: the worker is dropped and told why
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException)
        {
            // The worker went away or missed its heartbeats; its nodes are requeued below.
            if (alive.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Worker '{WorkerId}' sent nothing for {Timeout}; declaring it dead", worker.Id, options.WorkerTimeout);
            }
        }
        finally
        {
            state.RemoveWorker(worker);
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
            {
                // The stream is already gone.
            }
        }

        if (malformed is not null)
        {
            throw malformed;
        }
    }

    public async Task<PublishResponse> Publish(IAsyncStreamReader<PublishRequest> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A publish needs at least one message."));
        }

        var first = requestStream.Current;
        ValidateName(first.Name);
        if (first.TotalLength < 0 || first.TotalLength > options.MaxDatasetBytes)
        {
            throw new RpcException(new Status(
                StatusCode.InvalidArgument,
                $"Dataset '{first.Name}' has {first.TotalLength} bytes; the store accepts 0 to {options.MaxDatasetBytes} bytes (SchedulerOptions.MaxDatasetBytes)."));
        }

        // The value is assembled aside and becomes visible only once complete: never half-written.
        var value = store.Rent((int)first.TotalLength);
        var offset = 0;
        var message = first;
        while (true)
        {
            var data = message.Data.Span;
            if (data.Length > first.TotalLength - offset)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Dataset '{first.Name}' sent more bytes than its declared {first.TotalLength}."));
            }

            data.CopyTo(value.AsSpan(offset));
            offset += data.Length;
            if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                break;
            }

            message = requestStream.Current;
            if (message.Name.Length > 0 || message.TotalLength != 0)
            {
                // Only the first chunk names the dataset and its length; a later one doing so is out of order.
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Dataset '{first.Name}': only the first publish chunk may carry a name and total length; chunk at offset {offset} does."));
            }
        }

        if (offset != first.TotalLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Dataset '{first.Name}' sent {offset} of its declared {first.TotalLength} bytes."));
        }

        store.Put(first.Name, value, offset);
        return new PublishResponse { Length = offset };
    }

    public async Task Get(GetRequest request, IServerStreamWriter<DataChunk> responseStream, ServerCallContext context)
    {
        ValidateName(request.Name);
        DatasetStore.StoredValue.Lease lease;
        bool found;
        try
        {
            found = store.TryAcquire(request.Name, out lease);
        }
        catch (IOException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Dataset '{request.Name}' could not be read back from the store's spill file: {ex.Message}"));
        }

        if (!found)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Dataset '{request.Name}' is not in the store."));
        }

        using (lease)
        {
            var value = lease.Memory;
            var offset = 0;
            do
            {
                var length = Math.Min(Wire.ChunkSize, value.Length - offset);
                var chunk = new DataChunk { Data = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(value.Slice(offset, length)) };
                if (offset == 0)
                {
                    chunk.TotalLength = value.Length;
                }

                await responseStream.WriteAsync(chunk, context.CancellationToken).ConfigureAwait(false);
                offset += length;
            }
            while (offset < value.Length);
        }
    }

    public Task<ExistsResponse> Exists(DatasetNamesRequest request, ServerCallContext context)
    {
        var response = new ExistsResponse();
        foreach (var name in request.Names)
        {
            ValidateName(name);
            response.Exists.Add(store.Contains(name));
        }

        return Task.FromResult(response);
    }

    public Task<ReleaseResponse> Release(DatasetNamesRequest request, ServerCallContext context)
    {
        var released = 0;
        foreach (var name in request.Names)
        {
            ValidateName(name);
            released += store.Release(name) ? 1 : 0;
        }

        return Task.FromResult(new ReleaseResponse { Released = released });
    }

    public Task<ListResponse> List(ListRequest request, ServerCallContext context)
    {
        var response = new ListResponse { TotalBytes = store.TotalBytes };
        response.Names.AddRange(store.Names);
        return Task.FromResult(response);
    }

    /// <summary>The longest dataset name the store accepts, in characters.</summary>
    public const int MaxNameLength = 1024;

    private static void ValidateName(string name)
    {
        if (name.Length > MaxNameLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"A dataset name of {name.Length} characters is too long for the store (at most {MaxNameLength})."));
        }

        try
        {
            DatasetNames.Validate(name, "the store request");
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    private static partial class SchedulerLog
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Run {RunId} submitted: {Nodes} node(s), {Workers} worker(s) connected")]
        public static partial void RunSubmitted(ILogger logger, string runId, int nodes, int workers);

        [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "Run {RunId} {Outcome} after {Seconds:0.###} s: {Completed} node(s) completed, {Failed} failed")]
        public static partial void RunFinished(ILogger logger, string runId, string outcome, int completed, int failed, double seconds);
    }
}
