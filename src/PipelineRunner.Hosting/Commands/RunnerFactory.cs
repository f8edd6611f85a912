using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed;
using PipelineRunner.Runners;

namespace PipelineRunner.Hosting.Commands;

/// <summary>Creates the runner the options name, after checking that the options fit together.</summary>
internal static class RunnerFactory
{
    /// <summary>
    /// The runner: the app's own registered runner (not <paramref name="created"/>: the app's services own it), or one
    /// created here (<paramref name="created"/>: dispose it when it is <see cref="IAsyncDisposable"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The runner is unknown, or an option does not apply to it; the message says which.</exception>
    public static AbstractRunner Create(PipelineRunnerHostOptions options, ILoggerFactory loggerFactory, IServiceProvider services, out bool created)
    {
        created = false;
        // The app's registrations are the defaults: the runner options given to AddPipelineRunner (failure and retry
        // policies, parallelism) and its default runner (UseThreadRunner(), or a runner type of its own).
        var registered = services.GetService<ThreadRunnerOptions>() ?? new ThreadRunnerOptions();
        var registeredRunner = options.Runner is null && options.SchedulerAddress is null ? services.GetService<AbstractRunner>() : null;
        if (registeredRunner is not (null or SequentialRunner or ThreadRunner))
        {
            return options.Workers is null && options.WaitForWorkers is null
                ? registeredRunner
                : throw new ArgumentException(
                    $"--workers and --wait-for-workers size the runner this command creates, but the app registers its own runner ({registeredRunner.GetType().Name}). Name one with --runner, or remove them.");
        }

        created = true;
        var name = options.Runner ?? (options.SchedulerAddress is not null ? "distributed" : registeredRunner is ThreadRunner ? "thread" : "sequential");
        var runner = name.Trim().ToUpperInvariant() switch
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

        if (options.Workers is not null)
        {
            if (runner == "sequential")
            {
                throw new ArgumentException("--workers does not apply to the sequential runner, which runs one node at a time. Use --runner thread or --runner distributed.");
            }

            if (options.SchedulerAddress is not null)
            {
                throw new ArgumentException($"--workers sizes the in-process pool, but the run uses the remote scheduler {options.SchedulerAddress}, whose workers are separate processes. Remove one of the two.");
            }
        }

        if (options.WaitForWorkers is not null && options.SchedulerAddress is null)
        {
            throw new ArgumentException(
                "--wait-for-workers (PipelineRunner:WaitForWorkers) applies to a remote scheduler's workers; the run starts its own in-process pool. Add --scheduler, or remove it.");
        }

        if (options.Dashboard && (runner != "distributed" || options.SchedulerAddress is not null))
        {
            throw new ArgumentException(options.SchedulerAddress is null
                ? $"--dashboard (PipelineRunner:Dashboard) shows the distributed runner's in-process pool, but this run uses the {runner} runner. Add --runner distributed, or remove it."
                : "--dashboard (PipelineRunner:Dashboard) shows the in-process pool's dashboard; the scheduler at --scheduler serves its own (its --dashboard-port). Remove --dashboard.");
        }

        return runner switch
        {
            "sequential" => new SequentialRunner(With(registered, new RunnerOptions(), options), loggerFactory.CreateLogger<SequentialRunner>()),
            "thread" => new ThreadRunner(
                With(registered, new ThreadRunnerOptions { MaxDegreeOfParallelism = options.Workers ?? registered.MaxDegreeOfParallelism }, options),
                loggerFactory.CreateLogger<ThreadRunner>()),
            _ => CreateDistributed(options, registered, loggerFactory),
        };
    }

    /// <summary><paramref name="target"/> with the app's registered failure and retry policies, and async if either asks for it.</summary>
    private static T With<T>(RunnerOptions registered, T target, PipelineRunnerHostOptions options)
        where T : RunnerOptions
    {
        target.IsAsync = options.Async || registered.IsAsync;
        target.FailurePolicy = registered.FailurePolicy;
        target.RetryPolicy = registered.RetryPolicy;
        return target;
    }

    private static DistributedRunner CreateDistributed(PipelineRunnerHostOptions options, RunnerOptions registered, ILoggerFactory loggerFactory)
    {
        var distributed = With(
            registered,
            new DistributedRunnerOptions
            {
                SchedulerAddress = options.SchedulerAddress,
                LocalWorkers = options.Workers ?? Environment.ProcessorCount,
                LocalWorkerConcurrency = options.WorkerConcurrency,
            },
            options);
        if (options.WaitForWorkers is { } wait)
        {
            distributed.WaitForWorkersTimeout = TimeSpan.FromSeconds(wait);
        }

        if (options.Dashboard)
        {
            distributed.LocalScheduler.DashboardPort = PipelineRunner.Distributed.Scheduling.SchedulerOptions.DefaultDashboardPort;
        }

        HostOptions.ApplySecurity(options, distributed.Security);
        return new DistributedRunner(distributed, loggerFactory);
    }
}
