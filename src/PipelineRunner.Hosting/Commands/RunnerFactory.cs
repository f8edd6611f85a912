using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed;
using PipelineRunner.Runners;

namespace PipelineRunner.Hosting.Commands;

/// <summary>Creates the runner the options name, after checking that the options fit together.</summary>
internal static class RunnerFactory
{
    /// <summary>Creates the runner; dispose it when it is <see cref="IAsyncDisposable"/>.</summary>
    /// <exception cref="ArgumentException">The runner is unknown, or an option does not apply to it; the message says which.</exception>
    public static AbstractRunner Create(PipelineRunnerHostOptions options, ILoggerFactory loggerFactory)
    {
        var runner = options.Runner?.Trim().ToUpperInvariant() switch
        {
            "SEQUENTIAL" => "sequential",
            "THREAD" => "thread",
            "DISTRIBUTED" => "distributed",
            _ => throw new ArgumentException(
                $"Unknown runner '{options.Runner}' (PipelineRunner:Runner or --runner). Accepted: {string.Join(", ", CommandLineSchema.Runners)}."),
        };
        if (options.SchedulerAddress is not null && runner != "distributed")
        {
            throw new ArgumentException($"A scheduler address ({options.SchedulerAddress}) needs the distributed runner, but the runner is '{runner}'. Add --runner distributed.");
        }

        if (options.Workers is { } workers)
        {
            if (workers < 1)
            {
                throw new ArgumentException($"Workers (PipelineRunner:Workers or --workers) must be at least 1, got {workers}.");
            }

            if (runner == "sequential")
            {
                throw new ArgumentException("--workers does not apply to the sequential runner, which runs one node at a time. Use --runner thread or --runner distributed.");
            }

            if (options.SchedulerAddress is not null)
            {
                throw new ArgumentException($"--workers sizes the in-process pool, but the run uses the remote scheduler {options.SchedulerAddress}, whose workers are separate processes. Remove one of the two.");
            }
        }

        if (options.WaitForWorkers is { } wait && (wait <= 0 || double.IsNaN(wait) || options.SchedulerAddress is null))
        {
            throw new ArgumentException(options.SchedulerAddress is null
                ? "--wait-for-workers (PipelineRunner:WaitForWorkers) applies to a remote scheduler's workers; the run starts its own in-process pool. Add --scheduler, or remove it."
                : $"--wait-for-workers (PipelineRunner:WaitForWorkers) must be a positive number of seconds, got {wait}.");
        }

        if (options.WorkerConcurrency < 1)
        {
            throw new ArgumentException($"Worker concurrency (PipelineRunner:WorkerConcurrency or --concurrency) must be at least 1, got {options.WorkerConcurrency}.");
        }

        return runner switch
        {
            "sequential" => new SequentialRunner(new RunnerOptions { IsAsync = options.Async }, loggerFactory.CreateLogger<SequentialRunner>()),
            "thread" => new ThreadRunner(
                new ThreadRunnerOptions { IsAsync = options.Async, MaxDegreeOfParallelism = options.Workers ?? Environment.ProcessorCount },
                loggerFactory.CreateLogger<ThreadRunner>()),
            _ => CreateDistributed(options, loggerFactory),
        };
    }

    private static DistributedRunner CreateDistributed(PipelineRunnerHostOptions options, ILoggerFactory loggerFactory)
    {
        var distributed = new DistributedRunnerOptions
        {
            IsAsync = options.Async,
            SchedulerAddress = options.SchedulerAddress,
            LocalWorkers = options.Workers ?? Environment.ProcessorCount,
            LocalWorkerConcurrency = options.WorkerConcurrency,
        };
        if (options.WaitForWorkers is { } wait)
        {
            distributed.WaitForWorkersTimeout = TimeSpan.FromSeconds(wait);
        }

        HostOptions.ApplySecurity(options, distributed.Security);
        return new DistributedRunner(distributed, loggerFactory);
    }
}
