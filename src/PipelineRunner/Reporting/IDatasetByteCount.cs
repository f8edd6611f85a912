namespace PipelineRunner.Reporting;

/// <summary>
/// A dataset that knows how many bytes its last load and save moved (a distributed store's serialized size), for the
/// <see cref="PerformanceReport"/>. File datasets need not implement it: the report reads an unversioned file's size.
/// </summary>
public interface IDatasetByteCount
{
    /// <summary>The bytes the last load read; null before a load or when unknown.</summary>
    long? LastLoadedBytes { get; }

    /// <summary>The bytes the last save wrote; null before a save or when unknown.</summary>
    long? LastSavedBytes { get; }
}
