using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Client;

/// <summary>
/// Reads and writes the scheduler's dataset store. Drivers and workers use this one code path, so what a worker
/// publishes is exactly what the driver fetches. Values move in chunks of at most <see cref="ChunkSize"/> bytes.
/// </summary>
internal sealed partial class StoreClient(
    Protocol.Scheduler.SchedulerClient client,
    Uri schedulerAddress,
    PipelineRunner.Distributed.Client.ChannelTimeouts timeouts,
    PipelineRunner.Distributed.Client.SchedulerClientSecurity security,
    Microsoft.Extensions.Logging.ILogger? logger = null,
    TimeProvider? clock = null) : IDisposable
{
    /// <summary>How long values go over the gRPC streams after the bulk endpoint could not be reached, before it is tried again.</summary>
    public static readonly TimeSpan BulkRetryDelay = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _bulkGate = new(1, 1);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private BulkStoreClient? _bulk;
    private volatile bool _bulkResolved;
    private bool _warned;

    /// <summary>The chunk size: 1 MB, the largest buffer grpc-dotnet pools.</summary>
    public const int ChunkSize = Wire.ChunkSize;

    public string SchedulerAddress { get; } = schedulerAddress.ToString();

    public void Dispose()
    {
        _bulk?.Dispose();
        _bulkGate.Dispose();
    }

    /// <summary>The bulk endpoint's client, when the scheduler has one (asked once).</summary>
    private async ValueTask<BulkStoreClient?> BulkAsync(CancellationToken cancellationToken)
    {
        if (_bulkResolved)
        {
            return _bulk;
        }

        await _bulkGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_bulkResolved)
            {
                var info = await client.InfoAsync(new InfoRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
                var endpoint = info.BulkAddress.Length > 0 && BulkAddress.TryParse(info.BulkAddress, out var advertised) ? advertised
                    : info.BulkPort > 0 ? new System.Net.DnsEndPoint(schedulerAddress.Host, info.BulkPort)
                    : null;
                // TLS as the scheduler says (an ingress may terminate it in front of a plain bulk port); an older
                // scheduler does not say, and then it goes as the scheduler's address does. A client that speaks TLS
                // to the scheduler never lets it downgrade the bulk endpoint to plain TCP (its token and values would
                // travel in clear): values go over the gRPC streams instead.
                var https = schedulerAddress.Scheme == Uri.UriSchemeHttps;
                var useTls = info.HasBulkTls ? info.BulkTls : https;
                if (endpoint is not null && https && !useTls)
                {
                    if (logger is not null)
                    {
                        Log.BulkNotEncrypted(logger, SchedulerAddress);
                    }

                    endpoint = null;
                }

                _bulk = endpoint is null ? null : new BulkStoreClient(endpoint, timeouts.Connect, useTls, security, timeouts.SilenceBound, _clock);
                _bulkResolved = true;
            }

            return _bulk;
        }
        finally
        {
            _bulkGate.Release();
        }
    }

    /// <summary>
    /// The bulk endpoint cannot be connected to (an advertised address this client cannot reach, a firewall, a
    /// scheduler restarting): values go over the gRPC streams for <see cref="BulkRetryDelay"/>, then the scheduler is
    /// asked for its bulk endpoint again. Nothing was sent on the failed attempt, so it is safe to send again. The
    /// first fallback is a warning; later ones are Debug.
    /// </summary>
    private bool FallBackToGrpc(RpcException error)
    {
        if (error.Status.DebugException is not BulkUnreachableException unreachable)
        {
            return false;
        }

        var bulk = Interlocked.Exchange(ref _bulk, null);
        if (bulk is not null)
        {
            if (logger is not null)
            {
                if (!_warned)
                {
                    _warned = true;
                    Log.BulkUnreachable(logger, SchedulerAddress, unreachable.Message);
                }
                else
                {
                    Log.BulkStillUnreachable(logger, SchedulerAddress, unreachable.Message);
                }
            }

            bulk.Dispose();
            _ = RetryBulkLaterAsync();
        }

        return true;
    }

    private async Task RetryBulkLaterAsync()
    {
        try
        {
            await Task.Delay(BulkRetryDelay, _clock).ConfigureAwait(false);
        }
        finally
        {
            _bulkResolved = false; // the next transfer asks the scheduler where its bulk endpoint is
        }
    }

    public async Task PublishAsync(string name, ReadOnlySequence<byte> value, CancellationToken cancellationToken)
    {
        if (await BulkAsync(cancellationToken).ConfigureAwait(false) is { } bulk)
        {
            try
            {
                await bulk.PublishAsync(name, value, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RpcException ex) when (FallBackToGrpc(ex))
            {
                // Sent over the gRPC stream below.
            }
        }

        using var call = client.Publish(cancellationToken: cancellationToken);
        var first = true;
        var remaining = value;
        do
        {
            var length = (int)Math.Min(ChunkSize, remaining.Length);
            var chunk = remaining.Slice(0, length);
            var request = new PublishRequest
            {
                Data = chunk.IsSingleSegment ? UnsafeByteOperations.UnsafeWrap(chunk.First) : ByteString.CopyFrom(chunk.ToArray()),
            };
            if (first)
            {
                request.Name = name;
                request.TotalLength = value.Length;
                first = false;
            }

            await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            remaining = remaining.Slice(length);
        }
        while (remaining.Length > 0);

        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        await call.ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>Fetches a value and reads it as <paramref name="type"/> (MessagePack; byte arrays received in place).</summary>
    public Task<object?> LoadAsync(string name, Type type, CancellationToken cancellationToken) => LoadAsync(name, type, null, cancellationToken);

    /// <summary>Fetches a value and reads it as <paramref name="type"/>; <paramref name="received"/> learns its serialized size when it is read.</summary>
    public async Task<object?> LoadAsync(string name, Type type, Action<long>? received, CancellationToken cancellationToken)
    {
        object? Read(ReadOnlySequence<byte> bytes)
        {
            received?.Invoke(bytes.Length);
            return ValueSerializer.Deserialize(name, type, bytes);
        }

        if (await BulkAsync(cancellationToken).ConfigureAwait(false) is { } bulk)
        {
            try
            {
                return await bulk.GetAsync(name, Read, type == typeof(byte[]) ? static value => value : null, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (FallBackToGrpc(ex))
            {
                // Fetched over the gRPC stream below.
            }
        }

        return Read(await GetOverGrpcAsync(name, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Fetches a value as a sequence over the received chunks (no copy into one buffer).</summary>
    private async Task<ReadOnlySequence<byte>> GetOverGrpcAsync(string name, CancellationToken cancellationToken)
    {
        using var call = client.Get(new GetRequest { Name = name }, cancellationToken: cancellationToken);
        ChunkSegment? head = null;
        ChunkSegment? tail = null;
        try
        {
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (chunk.Data.Length == 0)
                {
                    continue;
                }

                var segment = new ChunkSegment(chunk.Data.Memory);
                if (head is null)
                {
                    head = tail = segment;
                }
                else
                {
                    tail = tail!.Append(segment);
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw new DatasetException(name, $"Dataset '{name}' is not in the store of the scheduler at {SchedulerAddress}.", ex);
        }

        return head is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(head, 0, tail!, tail!.Memory.Length);
    }

    public async Task<bool[]> ExistsAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var request = new DatasetNamesRequest();
        request.Names.AddRange(names);
        var response = await client.ExistsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. response.Exists];
    }

    public async Task<int> ReleaseAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var request = new DatasetNamesRequest();
        request.Names.AddRange(names);
        if (request.Names.Count == 0)
        {
            return 0;
        }

        var response = await client.ReleaseAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Released;
    }

    public async Task<(IReadOnlyList<string> Names, long TotalBytes)> ListAsync(CancellationToken cancellationToken)
    {
        var response = await client.ListAsync(new ListRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return ([.. response.Names], response.TotalBytes);
    }

    private sealed class ChunkSegment : ReadOnlySequenceSegment<byte>
    {
        public ChunkSegment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public ChunkSegment Append(ChunkSegment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
            return next;
        }
    }

    private static partial class Log
    {
        [Microsoft.Extensions.Logging.LoggerMessage(EventId = 320, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "The store's bulk endpoint of the scheduler at {Address} cannot be reached ({Reason}); values go over the gRPC streams instead, more slowly. If the scheduler is behind NAT or an ingress, give it --bulk-address with an address this machine can reach")]
        public static partial void BulkUnreachable(Microsoft.Extensions.Logging.ILogger logger, string address, string reason);

        [Microsoft.Extensions.Logging.LoggerMessage(EventId = 321, Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "The store's bulk endpoint of the scheduler at {Address} still cannot be reached ({Reason}); values keep going over the gRPC streams")]
        public static partial void BulkStillUnreachable(Microsoft.Extensions.Logging.ILogger logger, string address, string reason);

        [Microsoft.Extensions.Logging.LoggerMessage(EventId = 322, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "The scheduler at {Address} is reached over https but advertises its bulk endpoint without TLS; values go over the gRPC streams instead, so the access token and values never travel in clear. Advertise it with --bulk-address tls://HOST:PORT")]
        public static partial void BulkNotEncrypted(Microsoft.Extensions.Logging.ILogger logger, string address);
    }
}
