using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using PipelineRunner.Distributed.Protocol;
using Grpc.Core;

namespace PipelineRunner.Distributed.Client;

/// <summary>
/// Why a call to the scheduler failed, in words a user can act on: one clause that completes a sentence naming the
/// scheduler ("cannot reach the scheduler at http://…: connection refused"), with no gRPC status names, handler
/// internals or stack traces; whether retrying can help; and the failure as a gRPC error with status
/// <see cref="StatusCode.Unavailable"/> (what gRPC specifies for a lost or unreachable server, whereas the .NET client
/// reports a keep-alive failure as <c>Internal</c>), the transport's own error kept as its debug exception.
/// </summary>
internal sealed class SchedulerFailure
{
    private static readonly byte[] Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private SchedulerFailure(Uri address, string reason, bool isRefusal, RpcException error)
    {
        Address = address;
        Reason = reason;
        IsRefusal = isRefusal;
        Error = error;
    }

    /// <summary>The scheduler ended a stream that was open: <paramref name="reason"/> says how.</summary>
    public static SchedulerFailure Closed(Uri address, string reason) =>
        new(address, reason, isRefusal: false, new RpcException(new Status(StatusCode.Unavailable, reason)));

    /// <summary>The scheduler's address.</summary>
    public Uri Address { get; }

    /// <summary>What went wrong, as a clause without a final period: <c>connection refused</c>.</summary>
    public string Reason { get; }

    /// <summary>
    /// Whether the scheduler refused this client or the client is set up wrongly for it (credentials, certificate
    /// trust, http against https): trying again would only repeat the failure.
    /// </summary>
    public bool IsRefusal { get; }

    /// <summary>The failure as a gRPC error: the scheduler's own refusal, or <see cref="StatusCode.Unavailable"/>.</summary>
    public RpcException Error { get; }

    /// <summary>
    /// One sentence: "<paramref name="subject"/> cannot reach / lost the connection to the scheduler at ADDRESS: REASON."
    /// </summary>
    /// <param name="subject">Who failed, for example <c>Worker 'w1'</c>; none for the driver.</param>
    /// <param name="connected">Whether the connection had been established (then it was lost).</param>
    public string Sentence(string? subject, bool connected)
    {
        var verb = connected && !IsRefusal ? "lost the connection to" : "cannot reach";
        var text = subject is null ? char.ToUpperInvariant(verb[0]) + verb[1..] : $"{subject} {verb}";
        return $"{text} the scheduler at {Address}: {Reason}.";
    }

    /// <summary>Explains <paramref name="error"/>, a failed call on <paramref name="channel"/>.</summary>
    /// <remarks>
    /// A failed TLS or HTTP/2 handshake is followed by one probe of the other protocol on the same port (within the
    /// connect timeout), to tell "the scheduler speaks https; use https://…" from other failures.
    /// </remarks>
    public static async Task<SchedulerFailure> ExplainAsync(Exception error, SchedulerChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(channel);
        var address = channel.Address;
        var rpc = Find<RpcException>(error);
        if (rpc is { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied } && rpc.Status.DebugException is null)
        {
            // The scheduler itself refused the call and said why.
            return new SchedulerFailure(address, $"it refused this client: {rpc.Status.Detail.TrimEnd('.')}", isRefusal: true, rpc);
        }

        if (rpc is { Status.DebugException: null } && rpc.StatusCode != StatusCode.Unavailable)
        {
            // Something answered: a scheduler with its own status, or a server that is not one.
            var status = System.Text.RegularExpressions.Regex.Match(rpc.Status.Detail, @"HTTP status code: (\d+)");
            var answer = status.Success ? $"it is not a PipelineRunner scheduler (it answered with HTTP status {status.Groups[1].Value})" : rpc.Status.Detail.TrimEnd('.');
            return new SchedulerFailure(address, answer, isRefusal: false, new RpcException(new Status(StatusCode.Unavailable, answer, error)));
        }

        var (reason, refusal) = await ReasonAsync(error, rpc, channel, cancellationToken).ConfigureAwait(false);
        return new SchedulerFailure(address, reason, refusal, new RpcException(new Status(StatusCode.Unavailable, reason, error)));
    }

    private static async Task<(string Reason, bool IsRefusal)> ReasonAsync(Exception error, RpcException? rpc, SchedulerChannel channel, CancellationToken cancellationToken)
    {
        var address = channel.Address;
        var timeouts = channel.Timeouts;
        if (Find<SocketException>(error) is { } socket)
        {
            switch (socket.SocketErrorCode)
            {
                case SocketError.ConnectionRefused:
                    return ("connection refused", false);
                case SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain:
                    return ($"host name '{address.Host}' not found", false);
                case SocketError.NetworkUnreachable or SocketError.NetworkDown:
                    return ("network unreachable", false);
                case SocketError.HostUnreachable or SocketError.HostDown:
                    return ("host unreachable", false);
                case SocketError.TimedOut:
                    return ("the connection timed out", false);
                case SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown:
                    return ("the connection was reset", false);
            }
        }

        // SocketsHttpHandler has no error of its own for a keep-alive ping left unanswered: it aborts the connection
        // with an HTTP/2 protocol error whose message names the ping.
        if (Find<HttpProtocolException>(error) is { } protocol && protocol.Message.Contains("ping", StringComparison.OrdinalIgnoreCase))
        {
            return ($"it stopped answering: nothing heard for {ChannelTimeouts.Seconds(timeouts.SilenceBound)} s "
                + $"(PingDelay {ChannelTimeouts.Seconds(timeouts.PingDelay)} s + PingTimeout {ChannelTimeouts.Seconds(timeouts.PingTimeout)} s)", false);
        }

        if (Find<TimeoutException>(error) is not null)
        {
            return ($"no connection within {ChannelTimeouts.Seconds(timeouts.Connect)} s (ConnectTimeout)", false);
        }

        var http = Find<HttpRequestException>(error);
        if (address.Scheme == Uri.UriSchemeHttps && (http?.HttpRequestError == HttpRequestError.SecureConnectionError || Find<AuthenticationException>(error) is not null))
        {
            if (channel.CertificateRejection is { } rejection)
            {
                return (Untrusted(rejection, address), true);
            }

            if (await SpeaksPlainHttp2Async(address, timeouts.Connect, channel.Clock, cancellationToken).ConfigureAwait(false))
            {
                return ($"it speaks plain http (no TLS); use {WithScheme(address, Uri.UriSchemeHttp)}", true);
            }

            // Refused by the scheduler's TLS (a client certificate it does not accept, no protocol in common): a
            // set-up mistake, unlike a connection that broke during the handshake.
            return ($"the TLS handshake failed ({Innermost(error)})", Find<AuthenticationException>(error) is not null);
        }

        if (address.Scheme == Uri.UriSchemeHttp && (http is not null || Find<IOException>(error) is not null) && rpc?.Status.DebugException is not null)
        {
            if (await SpeaksTlsAsync(address, timeouts.Connect, channel.Clock, cancellationToken).ConfigureAwait(false))
            {
                return ($"it speaks https; use {WithScheme(address, Uri.UriSchemeHttps)}", true);
            }
        }

        if (http?.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse)
        {
            return ("the connection closed unexpectedly", false);
        }

        return (Innermost(error), false);
    }

    private static string Untrusted(SslPolicyErrors errors, Uri address) =>
        (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0
            ? $"its certificate is not issued for '{address.Host}'"
            : (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0
            ? "it sent no certificate"
            : "its certificate is not trusted (give the authority that issued it: --trust CA.pem, or Security.TrustedCertificates)";

    private static string WithScheme(Uri address, string scheme) => new UriBuilder(address) { Scheme = scheme, Port = address.Port }.Uri.ToString();

    /// <summary>The deepest message of the error, without gRPC's framing.</summary>
    private static string Innermost(Exception error)
    {
        var message = error.Message;
        for (var e = (Exception?)error; e is not null; e = Next(e))
        {
            if (e is not RpcException)
            {
                message = e.Message;
            }
        }

        return message.TrimEnd('.');
    }

    private static T? Find<T>(Exception error)
        where T : Exception
    {
        for (var e = (Exception?)error; e is not null; e = Next(e))
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception? Next(Exception e) => e is RpcException { Status.DebugException: { } debug } ? debug : e.InnerException;

    /// <summary>Whether a TLS server listens at the address (its certificate is not checked: nothing is sent over it).</summary>
    private static async Task<bool> SpeaksTlsAsync(Uri address, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(timeout, clock, cancellationToken);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(address.Host, address.Port, deadline.Token).ConfigureAwait(false);
            var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await using (tls.ConfigureAwait(false))
            {
                var options = new SslClientAuthenticationOptions
                {
                    TargetHost = address.Host,
#pragma warning disable CA5359 // A probe: it only asks whether the peer speaks TLS at all, and sends nothing over the connection.
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
                };
                await tls.AuthenticateAsClientAsync(options, deadline.Token).ConfigureAwait(false);
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Whether a plain-text HTTP/2 server listens at the address: it answers the client preface with a SETTINGS frame.</summary>
    private static async Task<bool> SpeaksPlainHttp2Async(Uri address, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(timeout, clock, cancellationToken);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(address.Host, address.Port, deadline.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(Http2Preface, deadline.Token).ConfigureAwait(false);
            await stream.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }, deadline.Token).ConfigureAwait(false); // an empty SETTINGS frame
            var header = new byte[9];
            await stream.ReadExactlyAsync(header, deadline.Token).ConfigureAwait(false);
            return header[3] == 4; // the server's first frame is its SETTINGS
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
