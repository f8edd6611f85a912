namespace PipelineRunner.Catalog;

/// <summary>Loading, saving, checking or releasing a dataset failed; the message names the dataset and the cause.</summary>
public class DatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatasetException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public DatasetException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a dataset.</summary>
    /// <param name="datasetName">The dataset.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DatasetException(string datasetName, string message, Exception? innerException)
        : base(message, innerException)
    {
        DatasetName = datasetName;
    }

    /// <summary>The dataset at fault, when known.</summary>
    public string? DatasetName { get; }
}

/// <summary>A dataset name is neither registered in the catalog nor matched by a dataset factory pattern.</summary>
public sealed class DatasetNotFoundException : DatasetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="datasetName">The missing dataset.</param>
    public DatasetNotFoundException(string datasetName)
        : this(datasetName, [])
    {
    }

    /// <summary>Creates the exception, suggesting registered names spelled like the missing one (as Kedro does).</summary>
    /// <param name="datasetName">The missing dataset.</param>
    /// <param name="closeNames">Registered names close to it, most similar first; empty for none.</param>
    internal DatasetNotFoundException(string datasetName, IReadOnlyCollection<string> closeNames)
        : base(
            datasetName,
            closeNames.Count == 0
                ? $"Dataset '{datasetName}' not found in the catalog."
                : $"Dataset '{datasetName}' not found in the catalog - did you mean one of these instead: {string.Join(", ", closeNames)}",
            null)
    {
    }
}

/// <summary>A dataset name is already registered and replacing was not asked for.</summary>
public sealed class DatasetAlreadyExistsException : DatasetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="datasetName">The dataset.</param>
    public DatasetAlreadyExistsException(string datasetName)
        : base(datasetName, $"Dataset '{datasetName}' has already been registered.", null)
    {
    }
}

/// <summary>
/// A versioned dataset was asked to save a version that already exists: versions are never overwritten (Kedro's
/// "must not exist if versioning is enabled").
/// </summary>
public sealed class DatasetVersionExistsException : DatasetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, naming the dataset, the path and the version.</param>
    /// <param name="version">The version that exists.</param>
    /// <param name="savePath">The path that exists.</param>
    /// <param name="innerException">The cause, if any.</param>
    internal DatasetVersionExistsException(string message, string version, string savePath, Exception? innerException = null)
        : base(message, innerException!)
    {
        Version = version;
        SavePath = savePath;
    }

    /// <summary>The version that already exists.</summary>
    public string Version { get; }

    /// <summary>The file of that version, which already exists.</summary>
    public string SavePath { get; }
}
