using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Client;

/// <summary>
/// How a driver or worker proves itself to a scheduler and checks the scheduler's identity: the shared access token
/// sent with every call, the certificates trusted for the scheduler's TLS certificate (an <c>https://</c> address),
/// and an optional client certificate.
/// </summary>
public sealed class SchedulerClientSecurity
{
    /// <summary>The scheduler's access token (<c>SchedulerOptions.AccessToken</c>); none when null.</summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Certificates trusted for the scheduler's TLS certificate: a certificate authority that issued it, or the
    /// certificate itself (a self-signed one). When empty, the operating system's trust store decides.
    /// </summary>
    public X509Certificate2Collection TrustedCertificates { get; } = [];

    /// <summary>A certificate with its private key, presented when the scheduler asks for client certificates; none when null.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>TLS options for a connection to the scheduler at <paramref name="targetHost"/>.</summary>
    /// <param name="targetHost">The scheduler's host name or address, checked against its certificate.</param>
    /// <param name="rejected">Told the platform's findings when the scheduler's certificate is refused.</param>
    internal SslClientAuthenticationOptions ToSslOptions(string targetHost, Action<SslPolicyErrors>? rejected = null) => new()
    {
        TargetHost = targetHost,
        RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            var trusted = certificate is X509Certificate2 server && CertificateTrust.IsTrusted(server, chain, TrustedCertificates, errors, CertificateTrust.ServerAuthentication);
            if (!trusted)
            {
                rejected?.Invoke(errors);
            }

            return trusted;
        },
        ClientCertificates = ClientCertificate is null ? null : [ClientCertificate],
    };
}
