using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using PipelineRunner.Distributed.Security;
using PipelineRunner.Distributed.Storage;

namespace PipelineRunner.Distributed.Internal;

/// <summary>A gRPC channel to a scheduler with bounded connect time and keep-alive pings, and the store client over it.</summary>
internal sealed class SchedulerChannel : IDisposable
{
    private readonly GrpcChannel _channel;

    public SchedulerChannel(Uri address, TimeSpan connectTimeout, TimeSpan keepAliveTimeout, SchedulerClientSecurity? security = null)
    {
        security ??= new SchedulerClientSecurity();
        Address = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = connectTimeout,
                KeepAlivePingDelay = keepAliveTimeout,
                KeepAlivePingTimeout = keepAliveTimeout,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
                InitialHttp2StreamWindowSize = 16 * 1024 * 1024,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                SslOptions = security.ToSslOptions(address.Host),
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
        Store = new StoreClient(Client, address, connectTimeout, security);
    }

    public Uri Address { get; }

    public Protocol.Scheduler.SchedulerClient Client { get; }

    public StoreClient Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        _channel.Dispose();
    }
}
