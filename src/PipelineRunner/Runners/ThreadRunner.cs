using Microsoft.Extensions.Logging;

namespace PipelineRunner.Runners;

/// <summary>
/// Runs independent nodes concurrently, at most <see cref="ThreadRunnerOptions.MaxDegreeOfParallelism"/> at once, each
/// as soon as its dependencies complete. Like Kedro's <c>ThreadRunner</c> executor, a run has threads of its own (started
/// as needed, up to the limit), and a node holds one until it ends, so nodes that block (synchronous I/O, sleeps,
/// blocking clients) run as many at once as allowed without waiting for the thread pool to grow. A chain (one ready
/// node at a time) runs inline on the caller's flow.
/// </summary>
public sealed class ThreadRunner : AbstractRunner
{
    /// <summary>Creates the runner.</summary>
    /// <param name="options">Runner options; defaults when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ThreadRunnerOptions.MaxDegreeOfParallelism"/> is less than 1.</exception>
    public ThreadRunner(ThreadRunnerOptions? options = null, ILogger<ThreadRunner>? logger = null)
        : base(options ??= new ThreadRunnerOptions(), logger)
    {
        var parallelism = options.MaxDegreeOfParallelism;
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                parallelism,
                $"ThreadRunnerOptions.MaxDegreeOfParallelism must be at least 1, but was {parallelism}.");
        }

        MaxDegreeOfParallelism = parallelism;
    }

    /// <summary>How many nodes may run at once.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <inheritdoc />
    protected override Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.ExecuteAsync(Math.Max(1, Math.Min(MaxDegreeOfParallelism, run.Pipeline.Nodes.Count)), cancellationToken);
    }
}
