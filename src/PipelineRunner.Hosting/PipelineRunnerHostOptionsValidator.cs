using Microsoft.Extensions.Options;

namespace PipelineRunner.Hosting;

/// <summary>
/// The rules of <see cref="PipelineRunnerHostOptions"/> taken one at a time, checked once, whenever a command reads the
/// options (so <c>--help</c> still works with a broken setting). Rules that combine settings with the command (a
/// scheduler address with a runner other than distributed, say) are the command's.
/// </summary>
internal sealed class PipelineRunnerHostOptionsValidator : IValidateOptions<PipelineRunnerHostOptions>
{
    private const string Section = PipelineRunnerHostOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, PipelineRunnerHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [];
        if (options.SchedulerAddress is { } address && Distributed.Protocol.SchedulerAddressRule.Problem(address) is { } problem)
        {
            failures.Add($"Invalid scheduler address '{address.OriginalString}' ({Section}:{nameof(options.SchedulerAddress)} or --scheduler): {problem}. Expected http://HOST:PORT or https://HOST:PORT.");
        }

        if (options.Workers is < 1)
        {
            failures.Add($"Workers ({Section}:{nameof(options.Workers)} or --workers) must be at least 1, got {options.Workers}.");
        }

        if (options.WorkerConcurrency < 1)
        {
            failures.Add($"Worker concurrency ({Section}:{nameof(options.WorkerConcurrency)} or --concurrency) must be at least 1, got {options.WorkerConcurrency}.");
        }

        if (options.WaitForWorkers is { } wait && !(wait > 0))
        {
            failures.Add($"--wait-for-workers ({Section}:{nameof(options.WaitForWorkers)}) must be a positive number of seconds, got {wait}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
