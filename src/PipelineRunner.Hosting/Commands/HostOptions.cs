using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PipelineRunner.Hosting.Commands;

/// <summary>Reads <see cref="PipelineRunnerHostOptions"/>, turning a binding failure into an error naming the key.</summary>
internal static class HostOptions
{
    /// <exception cref="ArgumentException">A configuration value cannot be bound; the message names the key and value.</exception>
    public static PipelineRunnerHostOptions Get(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<IOptions<PipelineRunnerHostOptions>>().Value;
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException($"Invalid configuration in section '{PipelineRunnerHostOptions.SectionName}': {ex.Message}", ex);
        }
    }
}
