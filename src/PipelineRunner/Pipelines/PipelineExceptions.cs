namespace PipelineRunner.Pipelines;

/// <summary>A pipeline is malformed, or a modular pipeline's mapping does not fit the nodes it maps.</summary>
public class PipelineException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PipelineException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public PipelineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Two or more nodes of one pipeline produce the same dataset (transcoded names count as one).</summary>
public sealed class OutputNotUniqueException : PipelineException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public OutputNotUniqueException(string message)
        : base(message)
    {
    }
}

/// <summary>Two or more nodes of one pipeline confirm the same dataset.</summary>
public sealed class ConfirmNotUniqueException : PipelineException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public ConfirmNotUniqueException(string message)
        : base(message)
    {
    }
}

/// <summary>The nodes of a pipeline depend on each other in a cycle.</summary>
public sealed class CircularDependencyException : PipelineException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="cycle">The names of the nodes in the cycle, each depending on the one before it.</param>
    public CircularDependencyException(IReadOnlyList<string> cycle)
        : base($"Circular dependencies exist among the following {cycle?.Count} item(s): [{string.Join(" -> ", cycle ?? [])} -> {cycle?.FirstOrDefault()}]")
    {
        Cycle = cycle ?? [];
    }

    /// <summary>The names of the nodes in the cycle, each depending on the one before it.</summary>
    public IReadOnlyList<string> Cycle { get; }
}

/// <summary>A node's parameter cannot accept the type another node returns for the same dataset.</summary>
public sealed class DatasetTypeMismatchException : PipelineException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="producer">The node that writes it.</param>
    /// <param name="producedType">The type the producer declares.</param>
    /// <param name="consumer">The node that reads it.</param>
    /// <param name="consumedType">The parameter type the consumer declares.</param>
    public DatasetTypeMismatchException(string dataset, string producer, Type producedType, string consumer, Type consumedType)
        : base($"Dataset '{dataset}' is produced by node '{producer}' as {TypeNames.Describe(producedType)}, " +
               $"but node '{consumer}' takes it as {TypeNames.Describe(consumedType)}, which cannot accept it.")
    {
        Dataset = dataset;
        Producer = producer;
        ProducedType = producedType;
        Consumer = consumer;
        ConsumedType = consumedType;
    }

    /// <summary>The dataset.</summary>
    public string Dataset { get; }

    /// <summary>The node that writes the dataset.</summary>
    public string Producer { get; }

    /// <summary>The type the producer declares.</summary>
    public Type ProducedType { get; }

    /// <summary>The node that reads the dataset.</summary>
    public string Consumer { get; }

    /// <summary>The parameter type the consumer declares.</summary>
    public Type ConsumedType { get; }
}
