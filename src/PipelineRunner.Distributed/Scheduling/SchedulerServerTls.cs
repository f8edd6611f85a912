using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The scheduler's one TLS configuration, used by both of its listeners (the gRPC endpoint and the store's bulk
/// endpoint), so they present the same certificate and accept the same clients.
/// </summary>
internal static class SchedulerServerTls
{
    /// <summary>The server side of a TLS handshake with <paramref name="options"/>' certificate and client-certificate rules.</summary>
    /// <param name="options">The scheduler's options; <see cref="SchedulerOptions.Certificate"/> must be set.</param>
    /// <param name="applicationProtocols">The ALPN protocols to offer (HTTP/2 for the gRPC endpoint); none for the bulk endpoint.</param>
    public static SslServerAuthenticationOptions ServerOptions(SchedulerOptions options, List<SslApplicationProtocol>? applicationProtocols = null) => new()
    {
        ServerCertificate = options.Certificate ?? throw new InvalidOperationException("The scheduler has no certificate."),
        ClientCertificateRequired = options.ClientCertificateMode != ClientCertificateMode.NoCertificate,
        RemoteCertificateValidationCallback = (_, client, chain, errors) => IsClientCertificateAccepted(options, client as X509Certificate2, chain, errors),
        ApplicationProtocols = applicationProtocols,
    };

    /// <summary>Whether a client certificate passes <see cref="SchedulerOptions.TrustedClientCertificates"/> (or the system's trust).</summary>
    public static bool IsClientCertificateAccepted(SchedulerOptions options, X509Certificate2? client, X509Chain? chain, SslPolicyErrors errors) =>
        client is null
            ? options.ClientCertificateMode != ClientCertificateMode.RequireCertificate
            : CertificateTrust.IsTrusted(client, chain, options.TrustedClientCertificates, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch, CertificateTrust.ClientAuthentication);
}
