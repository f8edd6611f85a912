using PipelineRunner.Catalog.Configuration;

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

    /// <summary>How long without an answer to a keep-alive ping the connection is declared dead. Default 15 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The access token and TLS trust for the scheduler.</summary>
    public Security.SchedulerClientSecurity Security { get; } = new();

    /// <summary>The dataset types the worker can build from catalog definitions; the defaults when null.</summary>
    public DatasetTypeRegistry? DatasetTypes { get; set; }

    /// <summary>How often the worker tells the scheduler it is alive; keep it well below the scheduler's <see cref="Scheduling.SchedulerOptions.WorkerTimeout"/>. Default 1 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a lost or failed connection to the scheduler is retried with backoff instead of ending <see cref="PipelineWorker.RunAsync"/>. Default true.</summary>
    public bool Reconnect { get; set; } = true;

    /// <summary>The first wait before reconnecting; it doubles on each failed attempt. Default 0.5 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between reconnection attempts. Default 10 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>On a graceful shutdown, how long running nodes may take to finish before they are handed back to the scheduler. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
