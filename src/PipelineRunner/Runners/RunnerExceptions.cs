namespace PipelineRunner.Runners;

/// <summary>A node failed while loading its inputs, running or saving its outputs. The inner exception is the cause.</summary>
public sealed class NodeExecutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="nodeName">The node that failed.</param>
    /// <param name="innerException">The cause.</param>
    public NodeExecutionException(string nodeName, Exception innerException)
        : base(Describe(nodeName, innerException), innerException)
    {
        NodeName = nodeName;
    }

    // A cause that already names the node (a remote failure: "Node 'x' failed on worker 'w': ...") is not repeated.
    private static string Describe(string nodeName, Exception? cause) =>
        cause?.Message.StartsWith($"Node '{nodeName}' ", StringComparison.Ordinal) == true
            ? cause.Message
            : $"Node '{nodeName}' failed: {cause?.GetType().Name}: {cause?.Message}";

    /// <summary>The node that failed.</summary>
    public string NodeName { get; }

    /// <summary>The nodes to resume the run from (Kedro's <c>--from-nodes</c> suggestion), sorted; empty if none ran.</summary>
    public IReadOnlyList<string> ResumeFromNodes { get; internal set; } = [];
}

/// <summary>
/// One or more nodes failed under <see cref="NodeFailurePolicy.ContinueIndependentNodes"/>: lists each failure and the
/// nodes skipped because they depend on a failed node.
/// </summary>
public sealed class PipelineRunFailedException : AggregateException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failures">The node failures, in the order they happened.</param>
    /// <param name="skippedNodes">Nodes that did not run because they depend on a failed node.</param>
    /// <param name="resumeFromNodes">The nodes to resume the run from.</param>
    public PipelineRunFailedException(
        IReadOnlyList<NodeExecutionException> failures,
        IReadOnlyList<string> skippedNodes,
        IReadOnlyList<string> resumeFromNodes)
        : base(
            $"{failures?.Count} node(s) failed: [{string.Join(", ", failures?.Select(f => f.NodeName) ?? [])}]; " +
            $"{skippedNodes?.Count} node(s) skipped: [{string.Join(", ", skippedNodes ?? [])}].",
            failures ?? [])
    {
        Failures = failures ?? [];
        SkippedNodes = skippedNodes ?? [];
        ResumeFromNodes = resumeFromNodes ?? [];
    }

    /// <summary>The node failures, in the order they happened.</summary>
    public IReadOnlyList<NodeExecutionException> Failures { get; }

    /// <summary>Nodes that did not run because they depend on a failed node, sorted.</summary>
    public IReadOnlyList<string> SkippedNodes { get; }

    /// <summary>The nodes to resume the run from, sorted.</summary>
    public IReadOnlyList<string> ResumeFromNodes { get; }
}

/// <summary>Some free inputs of the pipeline are not in the catalog; nothing ran.</summary>
public sealed class MissingInputsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="missingInputs">The inputs not found, sorted.</param>
    public MissingInputsException(IReadOnlyList<string> missingInputs)
        : this(missingInputs, [])
    {
    }

    /// <summary>Creates the exception, suggesting catalog names spelled like the missing ones.</summary>
    /// <param name="missingInputs">The inputs not found, sorted.</param>
    /// <param name="closeNames">Catalog names close to them; empty for none.</param>
    internal MissingInputsException(IReadOnlyList<string> missingInputs, IReadOnlyCollection<string> closeNames)
        : base($"Pipeline input(s) [{string.Join(", ", missingInputs ?? [])}] not found in the DataCatalog." + Pipelines.Internal.CloseNames.DidYouMean(closeNames))
    {
        MissingInputs = missingInputs ?? [];
    }

    /// <summary>The inputs not found, sorted.</summary>
    public IReadOnlyList<string> MissingInputs { get; }
}
