using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Hosting.Commands;

/// <summary>
/// <c>scheduler</c>: a standalone scheduler with its dataset store, until stopped (Ctrl+C or SIGTERM: running runs'
/// drivers are told, spill files removed, exit code 0). The options and their checks are the distributed package's
/// own, shared by every command line that starts a scheduler.
/// </summary>
internal sealed class SchedulerCommand(CommandContext context)
{
    public async Task<int> ExecuteAsync(ParseResult parsed, CommandLineSchema schema, CancellationToken cancellationToken)
    {
        Distributed.Scheduling.SchedulerOptions options;
        try
        {
            options = PipelineRunner.Distributed.Scheduling.SchedulerCommandLine.SchedulerOptionsFrom(name => schema.SchedulerOptions[name] switch
            {
                Option<bool> flag => parsed.GetValue(flag) ? string.Empty : null,
                var option => parsed.GetValue((Option<string>)option),
            });
            // The app's own access token (PipelineRunner:AccessToken), which its drivers and workers send, when the
            // command line and the environment give none.
            options.AccessToken ??= HostOptions.Get(context.Services).AccessToken;
        }
        catch (ArgumentException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        return await PipelineRunner.Distributed.Scheduling.SchedulerCommandLine.ServeSchedulerAsync(options, context.Output, context.Services.GetRequiredService<ILoggerFactory>(), cancellationToken).ConfigureAwait(false);
    }
}
