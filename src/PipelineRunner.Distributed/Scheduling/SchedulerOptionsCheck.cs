using System.Net;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>The rules of <see cref="SchedulerOptions"/>, checked once, wherever a scheduler is added.</summary>
internal static class SchedulerOptionsCheck
{
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static void Validate(SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BulkAdvertisedAddress is { } advertised && !BulkAddress.TryParse(advertised, out _, out _))
        {
            throw new ArgumentException(
                $"SchedulerOptions.BulkAdvertisedAddress (--bulk-address) must be host:port with a port from 1 to 65535, optionally after tls:// or tcp://, got '{advertised}'.",
                nameof(options));
        }

        if (!IPAddress.TryParse(options.Host, out _))
        {
            throw new ArgumentException($"SchedulerOptions.Host '{options.Host}' is not an IP address (for example 127.0.0.1 or 0.0.0.0).", nameof(options));
        }

        if (options.ClientCertificateMode != Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate || options.TrustedClientCertificates.Count > 0)
        {
            if (options.Certificate is null)
            {
                throw new ArgumentException("Client certificates need TLS: set SchedulerOptions.Certificate (--certificate) as well, or the scheduler would accept plain connections.", nameof(options));
            }

            if (options.ClientCertificateMode != Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate || options.TrustedClientCertificates.Count == 0)
            {
                throw new ArgumentException(
                    "Client certificates need both SchedulerOptions.ClientCertificateMode = RequireCertificate and the authorities to trust in TrustedClientCertificates (--client-ca); "
                    + "otherwise any publicly issued certificate, or none, would be accepted.",
                    nameof(options));
            }
        }

    }
}
