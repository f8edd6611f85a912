using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PipelineRunner.Distributed.Tests;

/// <summary>Certificates made by the tests: a certificate authority, and leaves it issues for 127.0.0.1 and clients.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 CreateAuthority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return Reload(certificate);
    }

    /// <summary>A server certificate for 127.0.0.1 and localhost, issued by <paramref name="authority"/>.</summary>
    public static X509Certificate2 CreateServer(X509Certificate2 authority) => Issue(authority, "CN=127.0.0.1", server: true);

    /// <summary>A client certificate issued by <paramref name="authority"/>.</summary>
    public static X509Certificate2 CreateClient(X509Certificate2 authority, string name) => Issue(authority, $"CN={name}", server: false);

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, bool server)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(23), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <summary>Round-trips through PKCS#12 so the private key is usable by TLS on every platform.</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);

    /// <summary>Writes <paramref name="certificate"/> as PEM (public part) for command-line tests.</summary>
    public static string WritePem(X509Certificate2 certificate, string path)
    {
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}
