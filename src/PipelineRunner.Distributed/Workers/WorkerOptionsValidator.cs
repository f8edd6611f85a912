using Microsoft.Extensions.Options;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Workers;

/// <summary>
/// The rules of <see cref="WorkerOptions"/>, in one place: <see cref="PipelineWorker"/> runs them once, when it is
/// created, and an app that binds worker options through the options system can register this validator.
/// </summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static void ThrowIfInvalid(WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Failures(options).FirstOrDefault() is { } failure)
        {
            throw new ArgumentException(failure); // one line: no parameter name appended
        }
    }

    private static IEnumerable<string> Failures(WorkerOptions options)
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
