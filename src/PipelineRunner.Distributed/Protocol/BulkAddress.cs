using System.Globalization;
using System.Net;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>The <c>host:port</c> of a bulk endpoint, as the scheduler advertises it.</summary>
internal static class BulkAddress
{
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
