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

    /// <summary>Checks a scheduler address from configuration or the command line with the distributed package's one rule.</summary>
    /// <exception cref="ArgumentException">It is not valid; the message names the key and the value.</exception>
    public static void CheckSchedulerAddress(Uri address) =>
        Distributed.Internal.SchedulerAddressRule.Check(address, $"{PipelineRunnerHostOptions.SectionName}:{nameof(PipelineRunnerHostOptions.SchedulerAddress)} or --scheduler");

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
