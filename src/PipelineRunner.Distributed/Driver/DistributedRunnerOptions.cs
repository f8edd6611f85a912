using PipelineRunner.Runners;

namespace PipelineRunner.Distributed;

/// <summary>Options of the <see cref="DistributedRunner"/>.</summary>
public sealed class DistributedRunnerOptions : RunnerOptions
{
    /// <summary>
    /// The scheduler to run on, for example <c>http://10.0.0.5:5123</c>. When null (the default) the runner starts an
    /// in-process scheduler on a loopback port and <see cref="LocalWorkers"/> in-process workers, all speaking gRPC.
    /// </summary>
    public Uri? SchedulerAddress { get; set; }

    /// <summary>How many workers the local pool starts. Default <see cref="Environment.ProcessorCount"/>.</summary>
    public int LocalWorkers { get; set; } = Environment.ProcessorCount;

    /// <summary>How many nodes each local worker runs at once. Default 1.</summary>
    public int LocalWorkerConcurrency { get; set; } = 1;

    /// <summary>How long connecting to the scheduler may take before the run fails. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the connection to the scheduler may be silent before the driver pings it (an HTTP/2 ping, sent whether
    /// or not a run is waiting for events). With <see cref="PingTimeout"/> it bounds how long a scheduler that stops
    /// answering (frozen, or its network cut without a reset) goes unnoticed: <c>PingDelay + PingTimeout</c>, plus up
    /// to two ticks of the HTTP handler's timer (a quarter of the shorter setting, at least 1 s); the run then fails
    /// with <see cref="SchedulerUnavailableException"/>. At least 1 s. Default 5 s.
    /// </summary>
    public TimeSpan PingDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a ping may go unanswered before the scheduler is declared lost and the run fails. At least 1 s.
    /// Default 10 s, so a silent scheduler is noticed within about 15 s.
    /// </summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a run on a remote scheduler waits while no worker is connected before it fails with a
    /// <see cref="SchedulerUnavailableException"/>; <see cref="Timeout.InfiniteTimeSpan"/> (the default) waits for as
    /// long as it takes, warning every <see cref="NoWorkersWarningInterval"/>.
    /// </summary>
    public TimeSpan WaitForWorkersTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>How often a run on a remote scheduler with no workers connected says so in the log. Default 10 s.</summary>
    public TimeSpan NoWorkersWarningInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Options of the in-process scheduler started when there is no <see cref="SchedulerAddress"/>, such as the store's
    /// memory limit and spill folder. Its host stays loopback. Its live dashboard is off unless asked for:
    /// <c>LocalScheduler.DashboardPort = 0</c> serves it on a free port, at <see cref="DistributedRunner.DashboardAddress"/>.
    /// </summary>
    public Scheduling.SchedulerOptions LocalScheduler { get; } = new();

    /// <summary>The access token and TLS trust for a remote scheduler (<see cref="SchedulerAddress"/>).</summary>
    public PipelineRunner.Distributed.Client.SchedulerClientSecurity Security { get; } = new();
}
