using PipelineRunner.Catalog.Configuration;

namespace PipelineRunner.Hosting;

/// <summary>
/// Settings of a PipelineRunner app, bound from the <c>PipelineRunner</c> configuration section: <c>appsettings.json</c>,
/// then environment variables (<c>PipelineRunner__Runner=thread</c>), then the command line (<c>--runner thread</c>).
/// </summary>
public sealed class PipelineRunnerHostOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "PipelineRunner";

    /// <summary>
    /// The runner of <c>run</c>: <c>sequential</c>, <c>thread</c> or <c>distributed</c>; by default (null) the app's
    /// registered <c>AbstractRunner</c> (the sequential runner, the thread runner after <c>UseThreadRunner()</c>, or a
    /// runner of the app's own).
    /// </summary>
    public string? Runner { get; set; }

    /// <summary>A remote scheduler for the distributed runner and for <c>worker</c>; none starts an in-process pool.</summary>
    public Uri? SchedulerAddress { get; set; }

    /// <summary>
    /// Parallelism: worker processes of the distributed runner's in-process pool, or threads of the thread runner;
    /// the processor count when not set.
    /// </summary>
    public int? Workers { get; set; }

    /// <summary>
    /// Seconds a distributed run on a remote scheduler waits while no worker is connected before it fails
    /// (<c>--wait-for-workers</c>); it waits as long as it takes, warning every 10 s, by default.
    /// </summary>
    public double? WaitForWorkers { get; set; }

    /// <summary>Nodes a worker runs at once (the <c>worker</c> command and the in-process pool's workers); 1 by default.</summary>
    public int WorkerConcurrency { get; set; } = 1;

    /// <summary>
    /// The project's folder: the configuration source and relative file paths of the catalog resolve against it. By
    /// default, as with <c>kedro run</c>, the current directory when it holds the configuration folder, else the app's
    /// folder when it does, else the current directory (with the catalog registered in code only).
    /// </summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>The configuration folder, relative to <see cref="ProjectDirectory"/> or absolute (<c>--conf-source</c>); <c>conf</c> by default. A folder other than the default must exist.</summary>
    public string ConfigurationSource { get; set; } = "conf";

    /// <summary>The configuration environment (Kedro's <c>--env</c>) whose files override <c>conf/base</c>; <c>local</c> by default.</summary>
    public string Environment { get; set; } = ConfigLoader.DefaultEnvironment;

    /// <summary>How the environment's parameters merge with the base's; <see cref="MergeStrategy.Destructive"/> by default, as in Kedro.</summary>
    public MergeStrategy ParameterMergeStrategy { get; set; } = MergeStrategy.Destructive;

    /// <summary>Loads and saves a node's datasets concurrently (Kedro's <c>--async</c>).</summary>
    public bool Async { get; set; }

    /// <summary>
    /// Serves the live dashboard of the in-process pool (the distributed runner without a scheduler address) on port 8787,
    /// or a free port when that is taken (<c>--dashboard</c>); a remote scheduler serves its own.
    /// </summary>
    public bool Dashboard { get; set; }

    /// <summary>
    /// The scheduler's access token, sent by <c>run --scheduler</c> and <c>worker</c>. Keep it out of files under source
    /// control: set it through the environment (<c>PipelineRunner__AccessToken</c>, or <c>PIPELINERUNNER_ACCESS_TOKEN</c>)
    /// or user secrets.
    /// </summary>
    public string? AccessToken { get; set; }

    /// <summary>A certificate file (PEM or .pfx) trusted for an <c>https://</c> scheduler: its authority, or the certificate itself.</summary>
    public string? TrustedCertificate { get; set; }

    /// <summary>A client certificate file (.pfx, or PEM with <see cref="ClientCertificateKey"/>) for schedulers that require one.</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>The PEM private key file of <see cref="ClientCertificate"/>, when it is separate.</summary>
    public string? ClientCertificateKey { get; set; }

    /// <summary>How a run reports progress; <see cref="ProgressMode.Auto"/> by default.</summary>
    public ProgressMode Progress { get; set; } = ProgressMode.Auto;
}

/// <summary>How <c>run</c> reports progress.</summary>
public enum ProgressMode
{
    /// <summary>A live status line on an interactive terminal, log lines when output is redirected.</summary>
    Auto,

    /// <summary>Always a live status line (nodes done of total, running nodes, elapsed time).</summary>
    Live,

    /// <summary>Always log lines.</summary>
    Log,
}
