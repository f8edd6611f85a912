using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PipelineRunner.Hosting.Commands;

/// <summary>Reads <see cref="PipelineRunnerHostOptions"/>, turning a binding failure into an error naming the key.</summary>
internal static class HostOptions
{
    /// <exception cref="ArgumentException">A configuration value cannot be bound; the message names the key and value.</exception>
    public static PipelineRunnerHostOptions Get(IServiceProvider services)
    {
        PipelineRunnerHostOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<PipelineRunnerHostOptions>>().Value;
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException($"Invalid configuration in section '{PipelineRunnerHostOptions.SectionName}': {ex.Message}", ex);
        }

        if (options.SchedulerAddress is { } address)
        {
            CheckSchedulerAddress(address);
        }

        return options;
    }

    /// <summary>
    /// A scheduler address is an absolute http(s) URL with nothing after the host and port; http needs an explicit port
    /// (a scheduler on port 80 is a mistake far more often than not), https may use its default 443 (an ingress).
    /// </summary>
    /// <exception cref="ArgumentException">It is not; the message names the key and the value.</exception>
    public static void CheckSchedulerAddress(Uri address)
    {
        var key = $"{PipelineRunnerHostOptions.SectionName}:{nameof(PipelineRunnerHostOptions.SchedulerAddress)}";
        var problem =
            !address.IsAbsoluteUri ? "it is not an absolute URL"
            : address.Scheme is not ("http" or "https") ? $"its scheme is '{address.Scheme}', not http or https"
            : address.Scheme == "http" && !HasExplicitPort(address) ? "it has no port (the scheduler prints its address, port included, when it starts)"
            : address.AbsolutePath != "/" || address.Query.Length > 0 || address.Fragment.Length > 0 ? "it has a path, query or fragment"
            : null;
        if (problem is not null)
        {
            throw new ArgumentException(
                $"Invalid scheduler address '{address.OriginalString}' ({key} or --scheduler): {problem}. Expected http://HOST:PORT or https://HOST:PORT.");
        }
    }

    private static bool HasExplicitPort(Uri address)
    {
        if (!address.IsDefaultPort)
        {
            return true;
        }

        // A default port written out (http://host:80) counts: look for ':digits' right after the host.
        var afterScheme = address.OriginalString[(address.OriginalString.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var authority = afterScheme.Split('/', 2)[0];
        var colon = authority.LastIndexOf(':');
        return colon >= 0 && colon > authority.LastIndexOf(']') && authority[(colon + 1)..].All(char.IsAsciiDigit) && colon < authority.Length - 1;
    }

    /// <summary>Fills <paramref name="security"/> from the options (token, trusted and client certificates).</summary>
    /// <exception cref="ArgumentException">A certificate file is missing or unreadable.</exception>
    public static void ApplySecurity(PipelineRunnerHostOptions options, Distributed.Security.SchedulerClientSecurity security)
    {
        security.AccessToken = options.AccessToken is { Length: > 0 } token ? token : Distributed.Security.SecurityFiles.ReadAccessToken(null);
        if (options.TrustedCertificate is { Length: > 0 } trusted)
        {
            security.TrustedCertificates.Add(Distributed.Security.SecurityFiles.LoadCertificate(trusted));
        }

        if (options.ClientCertificate is { Length: > 0 } client)
        {
            security.ClientCertificate = Distributed.Security.SecurityFiles.LoadCertificate(client, options.ClientCertificateKey, requirePrivateKey: true);
        }
    }
}
