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

    /// <summary>
    /// Refuses a command that needs pipelines in an app that registers none (the pipeline-runner tool): it has no nodes
    /// to run, list or serve.
    /// </summary>
    /// <exception cref="ArgumentException">The app registers no pipelines.</exception>
    public static void RequirePipelines(IServiceProvider services, string command)
    {
        if (!services.GetServices<PipelineRegistration>().Any())
        {
            throw new ArgumentException(
                $"This app registers no pipelines, so '{command}' has nothing to do: run it from the app that registers your pipelines ('myapp {command}'). This app can run a scheduler ('scheduler').");
        }
    }

    /// <summary>Fills <paramref name="security"/> from the options (token, trusted and client certificates).</summary>
    /// <exception cref="ArgumentException">A certificate file is missing or unreadable.</exception>
    public static void ApplySecurity(PipelineRunnerHostOptions options, Distributed.Client.SchedulerClientSecurity security)
    {
        security.AccessToken = options.AccessToken is { Length: > 0 } token ? token : Distributed.Protocol.SecurityFiles.ReadAccessToken(null);
        if (options.TrustedCertificate is { Length: > 0 } trusted)
        {
            security.TrustedCertificates.Add(Distributed.Protocol.SecurityFiles.LoadCertificate(trusted));
        }

        if (options.ClientCertificate is { Length: > 0 } client)
        {
            security.ClientCertificate = Distributed.Protocol.SecurityFiles.LoadCertificate(client, options.ClientCertificateKey, requirePrivateKey: true);
        }
    }
}
