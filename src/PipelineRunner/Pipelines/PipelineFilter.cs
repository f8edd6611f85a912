namespace PipelineRunner.Pipelines;

/// <summary>
/// The conditions of <see cref="Pipeline.Filter"/>. Each condition given selects a sub-pipeline (as the method of the
/// same name does); the result is the intersection of them all. Unset conditions select everything.
/// </summary>
public sealed record PipelineFilter
{
    /// <summary>Nodes with any of these tags (<see cref="Pipeline.OnlyNodesWithTags"/>).</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>These nodes and everything downstream (<see cref="Pipeline.FromNodes"/>).</summary>
    public IReadOnlyList<string>? FromNodes { get; init; }

    /// <summary>These nodes and everything upstream (<see cref="Pipeline.ToNodes"/>).</summary>
    public IReadOnlyList<string>? ToNodes { get; init; }

    /// <summary>Exactly these nodes (<see cref="Pipeline.OnlyNodes"/>).</summary>
    public IReadOnlyList<string>? NodeNames { get; init; }

    /// <summary>Nodes downstream of these datasets (<see cref="Pipeline.FromInputs"/>).</summary>
    public IReadOnlyList<string>? FromInputs { get; init; }

    /// <summary>Nodes needed to produce these datasets (<see cref="Pipeline.ToOutputs"/>).</summary>
    public IReadOnlyList<string>? ToOutputs { get; init; }

    /// <summary>Nodes in these namespaces or nested ones (<see cref="Pipeline.OnlyNodesWithNamespace"/>).</summary>
    public IReadOnlyList<string>? NodeNamespaces { get; init; }
}
