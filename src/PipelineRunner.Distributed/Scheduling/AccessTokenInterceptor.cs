using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// Refuses every call without <c>authorization: Bearer TOKEN</c> matching the scheduler's access token, before the
/// call's handler runs: a call without valid credentials gets <see cref="StatusCode.Unauthenticated"/> and changes nothing.
/// </summary>
internal sealed class AccessTokenInterceptor(string token) : Interceptor
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes(token);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    /// <summary>Whether <paramref name="presented"/> equals <paramref name="expected"/>, in time independent of where they differ.</summary>
    public static bool Matches(string? presented, byte[] expected) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected);

    private void Check(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        const string Scheme = "Bearer ";
        var presented = header is not null && header.StartsWith(Scheme, StringComparison.Ordinal) ? header[Scheme.Length..] : null;
        if (!Matches(presented, _expected))
        {
            throw new RpcException(new Status(
                StatusCode.Unauthenticated,
                presented is null
                    ? "The scheduler requires an access token: send 'authorization: Bearer TOKEN' (DistributedRunnerOptions.Security.AccessToken or WorkerOptions.Security.AccessToken)."
                    : "The access token is not valid for this scheduler."));
        }
    }
}
