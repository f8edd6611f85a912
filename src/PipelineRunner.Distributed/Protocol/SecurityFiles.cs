using System.Security.Cryptography.X509Certificates;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// Reads security material for the command line and configuration: access tokens from a file or an environment
/// variable (never from the command line itself, where other users can read it), certificates from PEM or PKCS#12 files.
/// </summary>
internal static class SecurityFiles
{
    /// <summary>The environment variable holding the access token when no token file is given: <c>PIPELINERUNNER_ACCESS_TOKEN</c>.</summary>
    public const string AccessTokenVariable = "PIPELINERUNNER_ACCESS_TOKEN";

    /// <summary>The environment variable holding the password of a PKCS#12 certificate file: <c>PIPELINERUNNER_CERTIFICATE_PASSWORD</c>.</summary>
    public const string CertificatePasswordVariable = "PIPELINERUNNER_CERTIFICATE_PASSWORD";

    /// <summary>The access token: the trimmed content of <paramref name="tokenFile"/> when given, else <see cref="AccessTokenVariable"/>, else none.</summary>
    /// <param name="tokenFile">A file holding the token, or null.</param>
    /// <returns>The token, or null.</returns>
    /// <exception cref="ArgumentException">The file does not exist or is empty.</exception>
    public static string? ReadAccessToken(string? tokenFile)
    {
        if (tokenFile is null)
        {
            return Environment.GetEnvironmentVariable(AccessTokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        }

        if (!File.Exists(tokenFile))
        {
            throw new ArgumentException($"The access token file '{tokenFile}' does not exist.");
        }

        var token = File.ReadAllText(tokenFile).Trim();
        return token.Length > 0 ? token : throw new ArgumentException($"The access token file '{tokenFile}' is empty.");
    }

    /// <summary>
    /// Loads a certificate: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>; password from <see cref="CertificatePasswordVariable"/>)
    /// or a PEM file, with its private key from <paramref name="keyFile"/> (or the same file) when there is one.
    /// </summary>
    /// <param name="path">The certificate file.</param>
    /// <param name="keyFile">A PEM private key file, or null.</param>
    /// <param name="requirePrivateKey">Whether the certificate must come with its private key (a server or client certificate).</param>
    /// <returns>The certificate.</returns>
    /// <exception cref="ArgumentException">The file does not exist, cannot be read as a certificate, or lacks a required private key.</exception>
    public static X509Certificate2 LoadCertificate(string path, string? keyFile = null, bool requirePrivateKey = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"The certificate file '{path}' does not exist.");
        }

        X509Certificate2 certificate;
        try
        {
            var extension = Path.GetExtension(path).ToUpperInvariant();
            certificate = extension is ".PFX" or ".P12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, Environment.GetEnvironmentVariable(CertificatePasswordVariable))
                : keyFile is not null ? X509Certificate2.CreateFromPemFile(path, keyFile)
                : File.ReadAllText(path).Contains("PRIVATE KEY", StringComparison.Ordinal) ? X509Certificate2.CreateFromPemFile(path)
                : X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new ArgumentException($"The certificate file '{path}' could not be read: {ex.Message}", ex);
        }

        if (requirePrivateKey && !certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException($"The certificate file '{path}' has no private key; give a .pfx/.p12 file or a PEM certificate with its key.");
        }

        return certificate;
    }
}
