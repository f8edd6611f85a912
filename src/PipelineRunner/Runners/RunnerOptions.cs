namespace PipelineRunner.Runners;

/// <summary>What a runner does when a node fails.</summary>
public enum NodeFailurePolicy
{
    /// <summary>Start no new node after the first failure; wait for running nodes; rethrow the failure. The default.</summary>
    StopOnFirstFailure,

    /// <summary>
    /// Keep running every node that does not depend on a failed node; at the end throw a
    /// <see cref="PipelineRunFailedException"/> listing every failure and every skipped node.
    /// </summary>
    ContinueIndependentNodes,
}

/// <summary>Options shared by all runners.</summary>
public class RunnerOptions
{
    /// <summary>Load a node's inputs and save its outputs concurrently (Kedro's <c>is_async</c>). Default false.</summary>
    public bool IsAsync { get; set; }

    /// <summary>What to do when a node fails. Default <see cref="NodeFailurePolicy.StopOnFirstFailure"/>.</summary>
    public NodeFailurePolicy FailurePolicy { get; set; } = NodeFailurePolicy.StopOnFirstFailure;

    /// <summary>How nodes without a policy of their own (<see cref="Pipelines.Node.WithRetry"/>) are retried after transient failures. Default: no retries.</summary>
    public RetryPolicy RetryPolicy { get; set; } = RetryPolicy.None;

    /// <summary>The clock of the runner's waits (retry delays, and a distributed runner's wait for workers); the system's by default.</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value), "RunnerOptions.TimeProvider must not be null.");
    }

    private TimeProvider _timeProvider = TimeProvider.System;
}

/// <summary>Options of the <see cref="ThreadRunner"/>.</summary>
public sealed class ThreadRunnerOptions : RunnerOptions
{
    /// <summary>How many nodes may run at once. Default <see cref="Environment.ProcessorCount"/>; must be at least 1.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
}

/// <summary>Per-run settings: hooks, session id and a progress sink.</summary>
public sealed record RunOptions
{
    /// <summary>Hooks called during the run, in order.</summary>
    public IReadOnlyList<Hooks.IRunHook> Hooks { get; init; } = [];

    /// <summary>The session id given to hooks; a new GUID when null.</summary>
    public string? SessionId { get; init; }

    /// <summary>Receives node started/completed/failed/skipped events with timings.</summary>
    public IProgress<NodeProgress>? Progress { get; init; }

    /// <summary>
    /// Records the run's performance: each node's wall time, queue wait, load and save time and bytes, where it ran and
    /// its attempts, for a <see cref="Reporting.PerformanceReport"/> (<see cref="Reporting.PerformanceRecorder.Report"/>
    /// once the run ended). Null (the default) measures nothing extra. A recorder serves one run.
    /// </summary>
    public Reporting.PerformanceRecorder? Performance { get; init; }
}
