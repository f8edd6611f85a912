using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Workers;

/// <summary>
/// The rules of <see cref="WorkerOptions"/>, in one place: <see cref="PipelineWorker"/> runs them once, when it is
/// created, and an app that binds worker options through the options system can register this validator.
/// </summary>
internal sealed class WorkerOptionsValidator : OptionsRules<WorkerOptions>
{
    protected override IEnumerable<string> Failures(WorkerOptions options)
    {
        if (options.SchedulerAddress is null)
        {
            yield return "WorkerOptions.SchedulerAddress is required (for example http://127.0.0.1:5123).";
        }
        else if (SchedulerAddressRule.Problem(options.SchedulerAddress) is { } problem)
        {
            yield return SchedulerAddressRule.Message(options.SchedulerAddress, "WorkerOptions.SchedulerAddress", problem);
        }

        if (options.MaxConcurrentNodes < 1)
        {
            yield return $"WorkerOptions.MaxConcurrentNodes must be at least 1, but was {options.MaxConcurrentNodes}.";
        }

        if (options.ReconnectDelay <= TimeSpan.Zero || options.MaxReconnectDelay < options.ReconnectDelay)
        {
            yield return $"WorkerOptions.ReconnectDelay must be positive and at most MaxReconnectDelay, but they were {ChannelTimeouts.Seconds(options.ReconnectDelay)} s and {ChannelTimeouts.Seconds(options.MaxReconnectDelay)} s.";
        }

        if (options.GiveUpAfter is { } giveUp && giveUp <= TimeSpan.Zero)
        {
            yield return $"WorkerOptions.GiveUpAfter must be positive (or null to retry forever), but was {ChannelTimeouts.Seconds(giveUp)} s.";
        }

        if (options.TimeProvider is null)
        {
            yield return "WorkerOptions.TimeProvider must not be null.";
        }

        if (ChannelTimeouts.Problem(nameof(WorkerOptions), options.ConnectTimeout, options.PingDelay, options.PingTimeout) is { } timeouts)
        {
            yield return timeouts;
        }
    }
}
