namespace PipelineRunner.Catalog.Files;

/// <summary>What a save does to an existing file (Kedro's <c>save_args.mode</c>: <c>w</c> or <c>a</c>).</summary>
public enum FileWriteMode
{
    /// <summary>Each save replaces the file atomically (<c>mode: w</c>); the default.</summary>
    Overwrite = 0,

    /// <summary>
    /// Each save adds to the end of the file, creating it when missing (<c>mode: a</c>): what a generator node's chunks
    /// need to all be kept. A failed or cancelled append is cut back to the file's previous length. Appending is not
    /// versioned, and a new run appends to what earlier runs wrote: delete the file first to start afresh.
    /// </summary>
    Append = 1,
}
