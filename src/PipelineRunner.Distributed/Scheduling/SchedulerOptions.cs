namespace PipelineRunner.Distributed.Scheduling;

/// <summary>Options of a scheduler server.</summary>
public sealed class SchedulerOptions
{
    /// <summary>The address to listen on. Default <c>127.0.0.1</c> (loopback only); use <c>0.0.0.0</c> to accept remote workers.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The port of the store's bulk endpoint (raw TCP for large values); 0 (the default) picks a free one.</summary>
    public int BulkPort { get; set; }

    /// <summary>The largest dataset value the store accepts, in bytes. Default 2,000,000,000 (just under 2 GB).</summary>
    public long MaxDatasetBytes { get; set; } = 2_000_000_000;
}
