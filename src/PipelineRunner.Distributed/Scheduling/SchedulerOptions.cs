namespace PipelineRunner.Distributed.Scheduling;

/// <summary>Options of a scheduler server.</summary>
public sealed class SchedulerOptions
{
    /// <summary>The default <see cref="MaxStoreMemoryBytes"/> when the memory available to the process is unknown: 4 GiB.</summary>
    public const long FallbackMaxStoreMemoryBytes = 4L * 1024 * 1024 * 1024;

    private long _maxStoreMemoryBytes = DefaultMaxStoreMemoryBytes();

    /// <summary>The address to listen on. Default <c>127.0.0.1</c> (loopback only); use <c>0.0.0.0</c> to accept remote workers.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The port of the store's bulk endpoint (raw TCP for large values); 0 (the default) picks a free one.</summary>
    public int BulkPort { get; set; }

    /// <summary>The largest dataset value the store accepts, in bytes. Default 2,000,000,000 (just under 2 GB).</summary>
    public long MaxDatasetBytes { get; set; } = 2_000_000_000;

    /// <summary>
    /// How many bytes of dataset values the store keeps in memory. Beyond it, the least recently used values that no
    /// request is reading are written to <see cref="SpillDirectory"/> and read back when requested (as Dask workers
    /// spill), so a run whose intermediates exceed memory completes. Default: half of the memory available to the
    /// process (<see cref="GC.GetGCMemoryInfo()"/>'s <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which honours
    /// container limits), or <see cref="FallbackMaxStoreMemoryBytes"/> when that is unknown.
    /// </summary>
    /// <remarks>
    /// The limit is soft in three ways: a value being published or read stays in memory while it is (so a single value
    /// larger than the limit is accepted, and spilled once no one reads it), values are spilled after a publish
    /// completes rather than before, and released buffers kept a short while for reuse are not counted.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value set is zero or negative.</exception>
    public long MaxStoreMemoryBytes
    {
        get => _maxStoreMemoryBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxStoreMemoryBytes = value;
        }
    }

    /// <summary>
    /// The folder spilled values are written to; created on the first spill. Default null: a fresh folder
    /// <c>pipelinerunner-spill-&lt;process id&gt;-&lt;random&gt;</c> under <see cref="Path.GetTempPath"/>. The store
    /// deletes each spill file when its value is released or replaced, and all of them when the scheduler stops, along
    /// with the folder if the store created it.
    /// </summary>
    public string? SpillDirectory { get; set; }

    private static long DefaultMaxStoreMemoryBytes()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available > 0 ? Math.Max(available / 2, 64L * 1024 * 1024) : FallbackMaxStoreMemoryBytes;
    }
}
