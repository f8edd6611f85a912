using Grpc.Core;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Storage;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>The scheduler's gRPC endpoints: runs, the worker stream and the dataset store.</summary>
internal sealed class SchedulerService(SchedulerState state, DatasetStore store, SchedulerOptions options, BulkEndpoint bulk) : Protocol.Scheduler.SchedulerBase
{
    public override Task<InfoResponse> Info(InfoRequest request, ServerCallContext context) =>
        Task.FromResult(new InfoResponse { BulkPort = bulk.Port });

    public override async Task SubmitRun(SubmitRunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context)
    {
        RunState run;
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

        try
        {
            await foreach (var runEvent in run.Events.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(runEvent, context.CancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The driver cancelled or went away: nothing of this run may keep running.
            state.CancelRun(run);
        }
    }

    public override async Task Connect(IAsyncStreamReader<WorkerMessage> requestStream, IServerStreamWriter<SchedulerMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false)
            || requestStream.Current.KindCase != WorkerMessage.KindOneofCase.Register
            || string.IsNullOrWhiteSpace(requestStream.Current.Register.WorkerId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A worker must first send a registration with its worker id."));
        }

        var register = requestStream.Current.Register;
        var worker = state.AddWorker(register.WorkerId, register.Concurrency);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var writer = Task.Run(
            async () =>
            {
                await foreach (var message in worker.Outbox.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    await responseStream.WriteAsync(message, stop.Token).ConfigureAwait(false);
                }
            },
            stop.Token);
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                var message = requestStream.Current;
                switch (message.KindCase)
                {
                    case WorkerMessage.KindOneofCase.Completed:
                        state.OnCompleted(worker, message.Completed);
                        break;
                    case WorkerMessage.KindOneofCase.Failed:
                        state.OnFailed(worker, message.Failed);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException)
        {
            // The worker went away; its nodes are requeued below.
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
    }

    public override async Task<PublishResponse> Publish(IAsyncStreamReader<PublishRequest> requestStream, ServerCallContext context)
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
        }

        if (offset != first.TotalLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Dataset '{first.Name}' sent {offset} of its declared {first.TotalLength} bytes."));
        }

        store.Put(first.Name, value, offset);
        return new PublishResponse { Length = offset };
    }

    public override async Task Get(GetRequest request, IServerStreamWriter<DataChunk> responseStream, ServerCallContext context)
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
                var length = Math.Min(StoreClient.ChunkSize, value.Length - offset);
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

    public override Task<ExistsResponse> Exists(DatasetNamesRequest request, ServerCallContext context)
    {
        var response = new ExistsResponse();
        foreach (var name in request.Names)
        {
            ValidateName(name);
            response.Exists.Add(store.Contains(name));
        }

        return Task.FromResult(response);
    }

    public override Task<ReleaseResponse> Release(DatasetNamesRequest request, ServerCallContext context)
    {
        var released = 0;
        foreach (var name in request.Names)
        {
            ValidateName(name);
            released += store.Release(name) ? 1 : 0;
        }

        return Task.FromResult(new ReleaseResponse { Released = released });
    }

    public override Task<ListResponse> List(ListRequest request, ServerCallContext context)
    {
        var response = new ListResponse { TotalBytes = store.TotalBytes };
        response.Names.AddRange(store.Names);
        return Task.FromResult(response);
    }

    private static void ValidateName(string name)
    {
        try
        {
            DatasetNames.Validate(name, "the store request");
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }
}
