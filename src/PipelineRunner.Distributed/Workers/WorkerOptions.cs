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

    /// <summary>The dataset types the worker can build from catalog definitions; the defaults when null.</summary>
    public DatasetTypeRegistry? DatasetTypes { get; set; }
}
