using System.Globalization;
using System.Net;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>The <c>host:port</c> of a bulk endpoint, as the scheduler advertises it.</summary>
internal static class BulkAddress
{
    private const string TlsScheme = "tls://";
    private const string TcpScheme = "tcp://";

    /// <summary>
    /// Parses an advertised bulk address: <c>host:port</c>, or <c>tls://host:port</c> / <c>tcp://host:port</c> to say
    /// whether clients speak TLS to it (<paramref name="tls"/> null without a scheme: as the scheduler's own endpoint).
    /// </summary>
    public static bool TryParse(string text, out DnsEndPoint endpoint, out bool? tls)
    {
        tls = text.StartsWith(TlsScheme, StringComparison.OrdinalIgnoreCase) ? true
            : text.StartsWith(TcpScheme, StringComparison.OrdinalIgnoreCase) ? false
            : null;
        return TryParse(tls switch { true => text[TlsScheme.Length..], false => text[TcpScheme.Length..], null => text }, out endpoint);
    }

    /// <summary>Parses <c>host:port</c> (an IPv6 host in brackets, <c>[::1]:5124</c>).</summary>
    public static bool TryParse(string text, out DnsEndPoint endpoint)
    {
        endpoint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            return false;
        }

        endpoint = new DnsEndPoint(host, port);
        return true;
    }
}

/// <summary>The bulk endpoint could not be connected to at all: nothing was sent, so the gRPC streams can carry the value instead.</summary>
internal sealed class BulkUnreachableException(string message, Exception innerException) : IOException(message, innerException);
