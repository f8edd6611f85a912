namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// Catalog or parameter configuration is invalid: a syntax error (with its line and column), an entry without a
/// <c>type</c>, an unknown dataset type or option, or a dataset that could not be created. The message names the
/// dataset or the file at fault.
/// </summary>
public sealed class CatalogConfigurationException : Exception
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
}
