using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>Checks a peer's certificate against the system's trust store or an explicit set of trusted certificates.</summary>
internal static class CertificateTrust
{
    /// <summary>The extended key usage of TLS servers.</summary>
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>The extended key usage of TLS clients.</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>
    /// Whether <paramref name="certificate"/> is trusted for <paramref name="purpose"/>: with no <paramref name="trusted"/>
    /// certificates, when the platform found no error; otherwise when it is one of them or chains to one of them (using
    /// intermediates the peer <paramref name="presented"/>, downloading nothing), carries the purpose's extended key
    /// usage, and (for a server) its name matches the address.
    /// </summary>
    public static bool IsTrusted(X509Certificate2 certificate, X509Chain? presented, X509Certificate2Collection? trusted, SslPolicyErrors errors, Oid purpose)
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
        chain.ChainPolicy.DisableCertificateDownloads = true; // never fetch a URL a peer's certificate names
        chain.ChainPolicy.ApplicationPolicy.Add(purpose); // a client certificate cannot pass for a server's, nor the reverse
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate); // intermediates the peer sent
            }
        }

        return chain.Build(certificate);
    }
}
