using Microsoft.Extensions.Logging;

namespace PipelineRunner.Runners;

/// <summary>
/// Runs independent nodes concurrently on the thread pool, at most
/// <see cref="ThreadRunnerOptions.MaxDegreeOfParallelism"/> at once, each as soon as its dependencies complete.
/// </summary>
public sealed class ThreadRunner : AbstractRunner
{
    /// <summary>Creates the runner.</summary>
    /// <param name="options">Runner options; defaults when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ThreadRunnerOptions.MaxDegreeOfParallelism"/> is less than 1.</exception>
    public ThreadRunner(ThreadRunnerOptions? options = null, ILogger<ThreadRunner>? logger = null)
        : base(options ?? new ThreadRunnerOptions(), logger)
    {
        var parallelism = ((ThreadRunnerOptions)Options).MaxDegreeOfParallelism;
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                parallelism,
                $"ThreadRunnerOptions.MaxDegreeOfParallelism must be at least 1, but was {parallelism}.");
        }
    }

    /// <summary>How many nodes may run at once.</summary>
    public int MaxDegreeOfParallelism => ((ThreadRunnerOptions)Options).MaxDegreeOfParallelism;

    /// <inheritdoc />
    protected override Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.ExecuteAsync(Math.Max(1, Math.Min(MaxDegreeOfParallelism, run.Pipeline.Nodes.Count)), cancellationToken);
    }
}
