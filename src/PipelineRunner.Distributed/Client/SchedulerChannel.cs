using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace PipelineRunner.Distributed.Client;

/// <summary>
/// A gRPC channel to a scheduler with bounded connect time and keep-alive pings, and the store client over it. The
/// pings go out whenever the connection has been silent for the ping delay, with or without calls in flight, so a
/// scheduler that stops answering is noticed within <see cref="ChannelTimeouts.SilenceBound"/> by drivers and idle
/// workers alike (Kestrel answers pings by itself).
/// </summary>
internal sealed class SchedulerChannel : IDisposable
{
    private readonly GrpcChannel _channel;
    private int _certificateRejection = -1; // the SslPolicyErrors of the last refusal; -1 for none

    public SchedulerChannel(Uri address, ChannelTimeouts timeouts, SchedulerClientSecurity? security = null, Microsoft.Extensions.Logging.ILogger? logger = null, TimeProvider? clock = null)
    {
        security ??= new SchedulerClientSecurity();
        Address = address;
        Timeouts = timeouts;
        Clock = clock ?? TimeProvider.System;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = timeouts.Connect,
                KeepAlivePingDelay = timeouts.PingDelay,
                KeepAlivePingTimeout = timeouts.PingTimeout,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
                InitialHttp2StreamWindowSize = 16 * 1024 * 1024,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                SslOptions = security.ToSslOptions(address.Host, errors => Volatile.Write(ref _certificateRejection, (int)errors)),
            },
            MaxReceiveMessageSize = 4 * 1024 * 1024,
            MaxSendMessageSize = 4 * 1024 * 1024,
        });
        // The access token rides on every call, streams included.
        var invoker = security.AccessToken is { } token
            ? _channel.Intercept(metadata =>
            {
                metadata.Add("authorization", "Bearer " + token);
                return metadata;
            })
            : _channel.CreateCallInvoker();
        Client = new Protocol.Scheduler.SchedulerClient(invoker);
        Store = new StoreClient(Client, address, timeouts, security, logger, clock);
    }

    public Uri Address { get; }

    public ChannelTimeouts Timeouts { get; }

    /// <summary>
    /// The clock of this client's own timeouts (bulk connects and silences, probes, retry delays). The gRPC transport's
    /// connect timeout and keep-alive pings are SocketsHttpHandler's, on the system clock.
    /// </summary>
    public TimeProvider Clock { get; }

    /// <summary>Why the scheduler's certificate was last refused, if it was: the platform's findings.</summary>
    public System.Net.Security.SslPolicyErrors? CertificateRejection =>
        Volatile.Read(ref _certificateRejection) is var value and >= 0 ? (System.Net.Security.SslPolicyErrors)value : null;

    public Protocol.Scheduler.SchedulerClient Client { get; }

    public StoreClient Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        _channel.Dispose();
    }
}
