namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// Catalog or parameter configuration is invalid: a syntax error (with its line and column), an entry without a
/// <c>type</c>, an unknown dataset type or option, a bad interpolation or credentials reference, or a dataset that
/// could not be created. The message names the dataset or the file at fault.
/// </summary>
/// <remarks>
/// It is a <see cref="DatasetException"/>, as Kedro reports catalog configuration errors with its <c>DatasetError</c>,
/// so <c>catch (DatasetException)</c> also catches it.
/// </remarks>
public sealed class CatalogConfigurationException : DatasetException
{
    /// <summary>Creates the exception.</summary>
    public CatalogConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public CatalogConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CatalogConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a dataset (<see cref="DatasetException.DatasetName"/>).</summary>
    /// <param name="datasetName">The dataset or pattern whose entry is at fault.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public CatalogConfigurationException(string datasetName, string message, Exception? innerException)
        : base(datasetName, message, innerException)
    {
    }
}
