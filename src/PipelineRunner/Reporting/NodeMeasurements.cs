namespace PipelineRunner.Reporting;

/// <summary>
/// What a runner that executes nodes elsewhere (a distributed runner's workers) learned about one node's execution,
/// for <see cref="PerformanceRecorder.RecordEnded"/>.
/// </summary>
public sealed record NodeMeasurements
{
    /// <summary>Where the node ran (a worker id); null when unknown.</summary>
    public string? Location { get; init; }

    /// <summary>How long the node ran where it ran, retries included.</summary>
    public TimeSpan WallTime { get; init; }

    /// <summary>Attempts the node took. Default 1.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Time spent loading inputs.</summary>
    public TimeSpan LoadTime { get; init; }

    /// <summary>Time spent saving outputs.</summary>
    public TimeSpan SaveTime { get; init; }

    /// <summary>Bytes of the inputs, where known.</summary>
    public long? LoadBytes { get; init; }

    /// <summary>Bytes of the outputs, where known.</summary>
    public long? SaveBytes { get; init; }
}
