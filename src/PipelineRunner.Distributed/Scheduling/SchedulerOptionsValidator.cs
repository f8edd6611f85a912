using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The rules of <see cref="SchedulerOptions"/>, in one place: the options system runs them at start
/// (<c>ValidateOnStart</c>) wherever <c>AddPipelineRunnerScheduler</c> adds a scheduler, and
/// <see cref="SchedulerServer.StartAsync"/> and the <c>scheduler</c> command run them before anything starts.
/// </summary>
internal sealed class SchedulerOptionsValidator : OptionsRules<SchedulerOptions>
{
    protected override IEnumerable<string> Failures(SchedulerOptions options)
    {
        if (options.BulkAdvertisedAddress is { } advertised && !BulkAddress.TryParse(advertised, out _, out _))
        {
            yield return $"SchedulerOptions.BulkAdvertisedAddress (--bulk-address) must be host:port with a port from 1 to 65535, optionally after tls:// or tcp://, got '{advertised}'.";
        }

        if (!IPAddress.TryParse(options.Host, out _))
        {
            yield return $"SchedulerOptions.Host '{options.Host}' is not an IP address (for example 127.0.0.1 or 0.0.0.0).";
        }

        if (options.DashboardPort is < 0 or > 65535)
        {
            yield return $"SchedulerOptions.DashboardPort (--dashboard-port) must be a port from 0 (a free one) to 65535, or null for none, got {options.DashboardPort}.";
        }

        if (options.ClientCertificateMode != ClientCertificateMode.NoCertificate || options.TrustedClientCertificates.Count > 0)
        {
            if (options.Certificate is null)
            {
                yield return "Client certificates need TLS: set SchedulerOptions.Certificate (--certificate) as well, or the scheduler would accept plain connections.";
            }
            else if (options.ClientCertificateMode != ClientCertificateMode.RequireCertificate || options.TrustedClientCertificates.Count == 0)
            {
                yield return "Client certificates need both SchedulerOptions.ClientCertificateMode = RequireCertificate and the authorities to trust in TrustedClientCertificates (--client-ca); "
                    + "otherwise any publicly issued certificate, or none, would be accepted.";
            }
        }
    }
}
