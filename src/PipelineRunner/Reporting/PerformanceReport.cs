using System.Text;
using PipelineRunner.Reporting.Internal;

namespace PipelineRunner.Reporting;

/// <summary>
/// The performance of one run, like Dask's <c>performance_report</c>: every node's wall time, queue wait, load and
/// save time and bytes, where it ran and its attempts; the critical path (the chain of dependent nodes whose wall times
/// sum longest); the slowest nodes; the run's wall time, the sum of node times and the parallelism achieved. Immutable;
/// made by a <see cref="PerformanceRecorder"/>. <see cref="WriteHtmlAsync"/> writes it as a standalone page and
/// <see cref="ToJson"/> as JSON.
/// </summary>
public sealed class PerformanceReport
{
    /// <summary>How many nodes <see cref="SlowestNodes"/> lists at most: 10.</summary>
    public const int SlowestCount = 10;

    internal PerformanceReport(
        string runnerName,
        string sessionId,
        DateTimeOffset startedAt,
        TimeSpan wallTime,
        TimeSpan nodeTime,
        string? error,
        NodePerformance[] nodes,
        NodePerformance[] criticalPath,
        long bytesLoaded,
        long bytesSaved)
    {
        RunnerName = runnerName;
        SessionId = sessionId;
        StartedAt = startedAt;
        WallTime = wallTime;
        NodeTime = nodeTime;
        Error = error;
        Nodes = nodes;
        CriticalPath = criticalPath;
        BytesLoaded = bytesLoaded;
        BytesSaved = bytesSaved;
        var critical = TimeSpan.Zero;
        foreach (var node in criticalPath)
        {
            critical += node.WallTime;
        }

        CriticalPathTime = critical;
        SlowestNodes = [.. nodes.Where(n => n.WallTime > TimeSpan.Zero).OrderByDescending(n => n.WallTime).ThenBy(n => n.Name, StringComparer.Ordinal).Take(SlowestCount)];
        Parallelism = wallTime > TimeSpan.Zero ? nodeTime / wallTime : 0;
    }

    /// <summary>The runner's type name (<c>SequentialRunner</c>, <c>ThreadRunner</c>, <c>DistributedRunner</c>, …).</summary>
    public string RunnerName { get; }

    /// <summary>The run's session id.</summary>
    public string SessionId { get; }

    /// <summary>When the run started, on the runner's clock (<see cref="Runners.RunnerOptions.TimeProvider"/>).</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The run's wall time, from its start to its end.</summary>
    public TimeSpan WallTime { get; }

    /// <summary>The sum of every node's wall time.</summary>
    public TimeSpan NodeTime { get; }

    /// <summary>The parallelism achieved: <see cref="NodeTime"/> divided by <see cref="WallTime"/> (1 for a sequential run of nodes only).</summary>
    public double Parallelism { get; }

    /// <summary>Whether the run completed; false when it failed or was cancelled.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Why the run failed (exception type and message); null when it completed.</summary>
    public string? Error { get; }

    /// <summary>Every node of the pipeline, in the pipeline's (topological) order.</summary>
    public IReadOnlyList<NodePerformance> Nodes { get; }

    /// <summary>The critical path: the chain of dependent nodes whose wall times sum longest, first node first.</summary>
    public IReadOnlyList<NodePerformance> CriticalPath { get; }

    /// <summary>The sum of the wall times along <see cref="CriticalPath"/>: no schedule could run the pipeline faster.</summary>
    public TimeSpan CriticalPathTime { get; }

    /// <summary>The slowest nodes by wall time, slowest first, at most <see cref="SlowestCount"/>.</summary>
    public IReadOnlyList<NodePerformance> SlowestNodes { get; }

    /// <summary>
    /// The bytes the nodes loaded, summed over the inputs whose size is known (<see cref="NodePerformance.LoadBytes"/>):
    /// for a distributed run, the bytes fetched from the store (and read from files).
    /// </summary>
    public long BytesLoaded { get; }

    /// <summary>The bytes the nodes saved, where known: for a distributed run, the bytes published to the store (and written to files).</summary>
    public long BytesSaved { get; }

    /// <summary>The report as JSON (camelCase; times in seconds; unknown bytes as null).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        PerformanceJsonWriter.Write(this, stream);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Writes the report as JSON (<see cref="ToJson"/>) to a stream, which stays open.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when written.</returns>
    public async Task WriteJsonAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        PerformanceJsonWriter.Write(this, buffer);
        buffer.Position = 0;
        await buffer.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the report as a standalone HTML page (inline CSS and SVG, nothing fetched): a summary, the slowest nodes,
    /// the critical path, a timeline with one lane per worker or thread, and every node's figures. The stream stays open.
    /// </summary>
    /// <param name="stream">Where to write (UTF-8).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when written.</returns>
    public async Task WriteHtmlAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var html = new StringBuilder();
        PerformanceHtmlWriter.Write(this, html);
        var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync(html, cancellationToken).ConfigureAwait(false);
        }
    }
}
