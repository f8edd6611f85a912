using System.Buffers.Binary;
using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net;
using System.Text;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Client;

/// <summary>The client side of the store's bulk protocol: pooled TCP connections, values written and read in place.</summary>
internal sealed class BulkStoreClient(DnsEndPoint endpoint, TimeSpan connectTimeout, bool useTls, PipelineRunner.Distributed.Client.SchedulerClientSecurity security, TimeSpan silenceLimit, TimeProvider? clock = null) : IDisposable
{
    private readonly ConcurrentBag<Stream> _idle = [];
    private volatile bool _disposed;

    /// <summary>The clock of the connect timeout and the silence limit.</summary>
    private TimeProvider Clock { get; } = clock ?? TimeProvider.System;

    public async Task PublishAsync(string name, ReadOnlySequence<byte> value, CancellationToken cancellationToken)
    {
        try
        {
            await PublishCoreAsync(name, value, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            throw Unavailable("publishing", name, ex);
        }
    }

    /// <summary>
    /// Fetches a value into a pooled buffer, hands it to <paramref name="read"/>, then returns the buffer. With
    /// <paramref name="binary"/>, a large value that is a MessagePack byte array is instead received straight into its
    /// own new array, which is handed to <paramref name="binary"/>: one copy instead of three.
    /// </summary>
    public async Task<T> GetAsync<T>(string name, Func<ReadOnlySequence<byte>, T> read, Func<byte[], T>? binary, CancellationToken cancellationToken)
    {
        try
        {
            return await GetCoreAsync(name, read, binary, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            throw Unavailable("fetching", name, ex);
        }
    }

    /// <summary>
    /// A broken or refused bulk connection means the scheduler is gone or unreachable: reported like the RPCs report it
    /// (<see cref="Grpc.Core.StatusCode.Unavailable"/>), so callers map it to the same error.
    /// </summary>
    private Grpc.Core.RpcException Unavailable(string action, string name, Exception error) =>
        new(new Grpc.Core.Status(
            Grpc.Core.StatusCode.Unavailable,
            $"The store's bulk endpoint at {endpoint.Host}:{endpoint.Port} failed while {action} dataset '{name}': {error.Message}",
            error));

    private async Task PublishCoreAsync(string name, ReadOnlySequence<byte> value, CancellationToken cancellationToken)
    {
        var stream = await RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(BulkProtocol.RequestHeader(BulkProtocol.Publish, name, value.Length), cancellationToken).ConfigureAwait(false);
            await BulkProtocol.WriteFromAsync(stream, value, cancellationToken).ConfigureAwait(false);

            var (status, length) = await ReadResponseHeaderAsync(stream, cancellationToken).ConfigureAwait(false);
            if (status != BulkProtocol.Ok)
            {
                throw new DatasetException(name, await ReadErrorAsync(stream, length, cancellationToken).ConfigureAwait(false), null);
            }

            Reuse(stream);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<T> GetCoreAsync<T>(string name, Func<ReadOnlySequence<byte>, T> read, Func<byte[], T>? binary, CancellationToken cancellationToken)
    {
        var stream = await RentAsync(cancellationToken).ConfigureAwait(false);
        byte[]? buffer = null;
        var healthy = false;
        try
        {
            await stream.WriteAsync(BulkProtocol.RequestHeader(BulkProtocol.Get, name, 0), cancellationToken).ConfigureAwait(false);
            var (status, length) = await ReadResponseHeaderAsync(stream, cancellationToken).ConfigureAwait(false);
            if (status != BulkProtocol.Ok)
            {
                var message = await ReadErrorAsync(stream, length, cancellationToken).ConfigureAwait(false);
                healthy = true;
                throw new DatasetException(name, $"{message} (scheduler at {endpoint.Host}:{endpoint.Port})", null);
            }

            var received = 0;
            if (binary is not null && length >= DirectMinimum)
            {
                var prefix = new byte[ValueSerializer.Binary32HeaderLength];
                await ReceiveAsync(stream, prefix, name, cancellationToken).ConfigureAwait(false);
                if (ValueSerializer.TryReadBinary32Header(prefix, length, out var payloadLength))
                {
                    // Pinned only when its pages are populated beside the receive: the pinned heap is never compacted.
                    var value = GC.AllocateUninitializedArray<byte>(payloadLength, pinned: MemoryPopulator.WillPopulate(payloadLength));
                    using (MemoryPopulator.Start(value))
                    {
                        await ReceiveAsync(stream, value, name, cancellationToken).ConfigureAwait(false);
                    }

                    healthy = true;
                    return binary(value);
                }

                buffer = RecyclingBufferPool.Shared.Rent(checked((int)length));
                prefix.CopyTo(buffer, 0);
                received = prefix.Length;
            }

            // Reused buffers: on machines where fresh memory is slow to fault in, this is what keeps fetches fast.
            buffer ??= RecyclingBufferPool.Shared.Rent(checked((int)length));
            await ReceiveAsync(stream, buffer.AsMemory(received, (int)length - received), name, cancellationToken).ConfigureAwait(false);
            healthy = true;
            return read(new ReadOnlySequence<byte>(buffer, 0, (int)length));
        }
        finally
        {
            if (buffer is not null)
            {
                RecyclingBufferPool.Shared.Return(buffer);
            }

            if (healthy)
            {
                Reuse(stream);
            }
            else
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Values from this size (1 MB) that are byte arrays are received straight into their final array.</summary>
    private const int DirectMinimum = 1024 * 1024;

    private async ValueTask ReceiveAsync(Stream stream, Memory<byte> destination, string name, CancellationToken cancellationToken)
    {
        if (!await BulkProtocol.ReadIntoAsync(stream, destination, cancellationToken).ConfigureAwait(false))
        {
            throw new EndOfStreamException($"The scheduler at {endpoint.Host}:{endpoint.Port} closed the connection while sending dataset '{name}'.");
        }
    }

    /// <summary>Keeps a connection for the next transfer, or closes it when this client is disposed.</summary>
    private void Reuse(Stream stream)
    {
        _idle.Add(stream);
        if (_disposed && _idle.TryTake(out var late))
        {
            late.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var stream))
        {
            stream.Dispose();
        }
    }

    private async Task<Stream> RentAsync(CancellationToken cancellationToken)
    {
        if (_idle.TryTake(out var idle))
        {
            return idle;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new Deadline(connectTimeout, Clock, cancellationToken);
        Stream stream;
        try
        {
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new BulkUnreachableException(
                    ex is SocketException socketError ? $"cannot connect to {endpoint.Host}:{endpoint.Port} ({socketError.SocketErrorCode})" : $"no connection to {endpoint.Host}:{endpoint.Port} within {connectTimeout.TotalSeconds:0.#} s",
                    ex);
            }

            stream = new SilenceLimitedStream(new NetworkStream(socket, ownsSocket: true), silenceLimit, $"{endpoint.Host}:{endpoint.Port}", Clock);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        try
        {
            if (useTls)
            {
                var tls = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(security.ToSslOptions(endpoint.Host), timeout.Token).ConfigureAwait(false);
            }

            if (security.AccessToken is { } token)
            {
                await stream.WriteAsync(BulkProtocol.RequestHeader(BulkProtocol.Authenticate, token, 0), timeout.Token).ConfigureAwait(false);
                var (status, length) = await ReadResponseHeaderAsync(stream, timeout.Token).ConfigureAwait(false);
                if (status != BulkProtocol.Ok)
                {
                    throw new Grpc.Core.RpcException(new Grpc.Core.Status(
                        Grpc.Core.StatusCode.Unauthenticated,
                        await ReadErrorAsync(stream, length, timeout.Token).ConfigureAwait(false)));
                }
            }
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return stream;
    }

    private static async Task<(byte Status, long Length)> ReadResponseHeaderAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[9];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        return (header[0], BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(1)));
    }

    private static async Task<string> ReadErrorAsync(Stream stream, long length, CancellationToken cancellationToken)
    {
        var message = new byte[Math.Min(length, 64 * 1024)];
        await stream.ReadExactlyAsync(message, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(message);
    }
}
