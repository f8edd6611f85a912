using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// Serves the store's bulk protocol (<see cref="BulkProtocol"/>) on its own TCP listener beside the RPCs. Values move
/// with large socket calls: no 4 KB transport buffers (those capped throughput), and with each transfer's last
/// megabyte staged through a 1 MB buffer so that an idle connection never keeps a large value alive (see
/// <see cref="BulkProtocol.ReadIntoAsync"/>). Every request is validated
/// (operation, name, size) before any byte is stored, and a value is stored only once it fully arrived.
/// </summary>
internal sealed partial class BulkStoreServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly DatasetStore _store;
    private readonly SchedulerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public BulkStoreServer(IPAddress address, int port, DatasetStore store, SchedulerOptions options, ILogger logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        _listener = new TcpListener(address, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accept.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            socket.NoDelay = true;
            _ = Task.Run(() => ServeAsync(socket), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        var header = new byte[5];
        var authenticated = _options.AccessToken is null;
        try
        {
            if (_options.Certificate is not null)
            {
                var tls = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                using var handshakeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _options.TimeProvider);
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, handshakeTimeout.Token);
                await tls.AuthenticateAsServerAsync(PipelineRunner.Distributed.Scheduling.SchedulerServerTls.ServerOptions(_options), handshake.Token).ConfigureAwait(false);
            }

            while (true)
            {
                // [op:1][name length:4]
                // Until it authenticates, a connection gets 10 s per request: idle unauthenticated connections cannot pile up.
                using var idle = authenticated ? null : new CancellationTokenSource(TimeSpan.FromSeconds(10), _options.TimeProvider);
                using var unauthenticated = idle is null ? null : CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, idle.Token);
                var readToken = unauthenticated?.Token ?? _stop.Token;
                if (await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, readToken).ConfigureAwait(false) < header.Length)
                {
                    return; // closed between requests
                }

                var op = header[0];
                var nameLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
                if (nameLength is < 1 or > BulkProtocol.MaxNameBytes)
                {
                    await RespondAsync(stream, BulkProtocol.Invalid, Encoding.UTF8.GetBytes($"A bulk request name of {nameLength} bytes is out of range (1 to {BulkProtocol.MaxNameBytes}).")).ConfigureAwait(false);
                    return;
                }

                var rest = new byte[nameLength + 8];
                await stream.ReadExactlyAsync(rest, readToken).ConfigureAwait(false);
                var name = Encoding.UTF8.GetString(rest, 0, nameLength);
                var length = BinaryPrimitives.ReadInt64LittleEndian(rest.AsSpan(nameLength));
                if (op == BulkProtocol.Authenticate)
                {
                    authenticated = _options.AccessToken is null || PipelineRunner.Distributed.Scheduling.AccessTokenInterceptor.Matches(name, Encoding.UTF8.GetBytes(_options.AccessToken));
                    if (!authenticated)
                    {
                        await RespondAsync(stream, BulkProtocol.Unauthenticated, Encoding.UTF8.GetBytes("The access token is not valid for this scheduler.")).ConfigureAwait(false);
                        return;
                    }

                    await RespondAsync(stream, BulkProtocol.Ok, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                    continue;
                }

                if (!authenticated)
                {
                    await RespondAsync(stream, BulkProtocol.Unauthenticated, Encoding.UTF8.GetBytes("The scheduler requires an access token: authenticate first.")).ConfigureAwait(false);
                    return;
                }

                var problem = Validate(op, name, length);
                if (problem is not null)
                {
                    await RespondAsync(stream, BulkProtocol.Invalid, Encoding.UTF8.GetBytes(problem)).ConfigureAwait(false);
                    return; // the rest of the stream cannot be trusted
                }

                if (op == BulkProtocol.Publish)
                {
                    var value = _store.Rent((int)length);
                    if (!await BulkProtocol.ReadIntoAsync(stream, value.AsMemory(0, (int)length), _stop.Token).ConfigureAwait(false))
                    {
                        return; // cut short: nothing stored
                    }

                    _store.Put(name, value, (int)length);
                    await RespondAsync(stream, BulkProtocol.Ok, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                }
                else if (!TryAcquire(name, out var lease, out var failure))
                {
                    await RespondAsync(stream, failure is null ? BulkProtocol.NotFound : BulkProtocol.Failed, Encoding.UTF8.GetBytes(failure ?? $"Dataset '{name}' is not in the store.")).ConfigureAwait(false);
                }
                else
                {
                    using (lease)
                    {
                        await RespondAsync(stream, BulkProtocol.Ok, lease.Memory).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException or ObjectDisposedException
            or System.Security.Authentication.AuthenticationException)
        {
            Log.ConnectionEnded(_logger, ex.Message);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Takes a lease; a spilled value that cannot be read back is a failure, not a dropped connection.</summary>
    private bool TryAcquire(string name, out DatasetStore.StoredValue.Lease lease, out string? failure)
    {
        failure = null;
        try
        {
            return _store.TryAcquire(name, out lease);
        }
        catch (IOException ex)
        {
            failure = $"Dataset '{name}' could not be read back from the store's spill file: {ex.Message}";
            lease = default;
            return false;
        }
    }

    private string? Validate(byte op, string name, long length)
    {
        if (op is not (BulkProtocol.Publish or BulkProtocol.Get))
        {
            return $"Unknown bulk operation {op}.";
        }

        if (name.Length > SchedulerService.MaxNameLength)
        {
            return $"A dataset name of {name.Length} characters is too long for the store (at most {SchedulerService.MaxNameLength}).";
        }

        try
        {
            DatasetNames.Validate(name, "a bulk store request");
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }

        var limit = Math.Min(_options.MaxDatasetBytes, Array.MaxLength);
        return op == BulkProtocol.Publish && (length < 0 || length > limit)
            ? $"Dataset '{name}' has {length} bytes; the store accepts 0 to {limit} bytes (SchedulerOptions.MaxDatasetBytes)."
            : null;
    }

    private async Task RespondAsync(Stream stream, byte status, ReadOnlyMemory<byte> payload)
    {
        var header = new byte[9];
        header[0] = status;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(1), payload.Length);
        await stream.WriteAsync(header, _stop.Token).ConfigureAwait(false);
        await BulkProtocol.WriteFromAsync(stream, new System.Buffers.ReadOnlySequence<byte>(payload), _stop.Token).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "A bulk store connection ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, string reason);
    }
}
