using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PipelineRunner.Hosting.Commands;

/// <summary>Reads <see cref="PipelineRunnerHostOptions"/>, turning a binding failure into an error naming the key.</summary>
internal static class HostOptions
{
    /// <exception cref="ArgumentException">A configuration value cannot be bound, or breaks a rule of the options; the message names the key and value.</exception>
    public static PipelineRunnerHostOptions Get(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<IOptions<PipelineRunnerHostOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            throw new ArgumentException(string.Join(" ", ex.Failures), ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException($"Invalid configuration in section '{PipelineRunnerHostOptions.SectionName}': {ex.Message}", ex);
        }
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
