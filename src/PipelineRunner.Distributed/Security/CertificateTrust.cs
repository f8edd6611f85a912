using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace PipelineRunner.Distributed.Security;

/// <summary>Checks a peer's certificate against the system's trust store or an explicit set of trusted certificates.</summary>
internal static class CertificateTrust
{
    /// <summary>
    /// Whether <paramref name="certificate"/> is trusted: with no <paramref name="trusted"/> certificates, when the
    /// platform found no error; otherwise when it is one of them or chains to one of them, and (for a server) its name
    /// matches the address.
    /// </summary>
    public static bool IsTrusted(X509Certificate2 certificate, X509Certificate2Collection? trusted, SslPolicyErrors errors)
    {
        if (trusted is null || trusted.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        if (trusted.Any(t => t.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)))
        {
            return true;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
