using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Hooks;

namespace PipelineRunner.Distributed.Workers;

/// <summary>Options of a <see cref="PipelineWorker"/>.</summary>
public sealed class WorkerOptions
{
    /// <summary>The scheduler to serve, for example <c>http://127.0.0.1:5123</c>. Required.</summary>
    public Uri? SchedulerAddress { get; set; }

    /// <summary>The worker's id in logs and errors. Default: machine name, process id and a short random suffix.</summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>How many nodes the worker runs at once, independent of its core count. Default 1.</summary>
    public int MaxConcurrentNodes { get; set; } = 1;

    /// <summary>How long connecting to the scheduler may take before failing. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the connection to the scheduler may be silent before the worker pings it (an HTTP/2 ping, sent whether
    /// or not nodes are running). With <see cref="PingTimeout"/> it bounds how long a scheduler that stops answering
    /// (frozen, or its network cut without a reset) goes unnoticed: <c>PingDelay + PingTimeout</c>, plus up to two ticks
    /// of the HTTP handler's timer (a quarter of the shorter setting, at least 1 s). At least 1 s. Default 5 s.
    /// </summary>
    public TimeSpan PingDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a ping may go unanswered before the connection is declared lost; the worker then reconnects (see
    /// <see cref="Reconnect"/>). At least 1 s. Default 10 s, so a silent scheduler is noticed within about 15 s.
    /// </summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The access token and TLS trust for the scheduler.</summary>
    public PipelineRunner.Distributed.Client.SchedulerClientSecurity Security { get; } = new();

    /// <summary>The dataset types the worker can build from catalog definitions; the defaults when null.</summary>
    public DatasetTypeRegistry? DatasetTypes { get; set; }

    /// <summary>
    /// The node and dataset hooks of the worker's app, called around every node this worker runs, as in-process runners
    /// call them: before/after dataset loaded, before node run (which may replace inputs), after node run, before/after
    /// dataset saved, and on node error for each failed attempt. Node hooks run where the node runs (Kedro's Dask runner
    /// does the same); pipeline hooks and progress stay on the driver, and the driver's node hooks do not run for nodes of
    /// remote workers. The app host's <c>worker</c> command passes the app's <see cref="IRunHook"/> registrations.
    /// Default none.
    /// </summary>
    public IReadOnlyList<IRunHook> Hooks { get; set; } = [];

    /// <summary>How often the worker tells the scheduler it is alive; keep it well below the scheduler's <c>SchedulerOptions.WorkerTimeout</c>. Default 1 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a lost or failed connection to the scheduler is retried with backoff instead of ending <see cref="PipelineWorker.RunAsync"/>. Default true.</summary>
    public bool Reconnect { get; set; } = true;

    /// <summary>The first wait before reconnecting; it doubles on each failed attempt. Default 0.5 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between reconnection attempts. Default 10 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the worker keeps trying to reach the scheduler, counted from the moment it lost the connection (or
    /// from the start, if it never connected), before <see cref="PipelineWorker.RunAsync"/> gives up with a
    /// <see cref="SchedulerUnavailableException"/>. Null (the default) retries forever.
    /// </summary>
    public TimeSpan? GiveUpAfter { get; set; }

    /// <summary>The clock of heartbeats, reconnection delays, <see cref="GiveUpAfter"/>, <see cref="DrainTimeout"/>, node durations and the bulk endpoint's retry delay. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>On a graceful shutdown, how long running nodes may take to finish before they are handed back to the scheduler. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
