using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Pipelines;

/// <summary>
/// The datasets a node writes: none, one name (the whole result), an ordered list (the members of a returned tuple
/// or list, in order) or a mapping from a result member (property, field or dictionary key) to a dataset name.
/// Converts implicitly from <see cref="string"/>, <see cref="string"/>[] and <see cref="Dictionary{TKey,TValue}"/>.
/// </summary>
public sealed class NodeOutputs
{
    private string[]? _key;

    private NodeOutputs(NodeBindingKind kind, string[] datasets, string[]? keys)
    {
        Kind = kind;
        Datasets = datasets;
        Keys = keys;
    }

    /// <summary>No outputs.</summary>
    public static NodeOutputs None { get; } = new(NodeBindingKind.None, [], null);

    /// <summary>How the result binds to the datasets.</summary>
    public NodeBindingKind Kind { get; }

    /// <summary>The dataset names, in order.</summary>
    public IReadOnlyList<string> Datasets { get; }

    /// <summary>For <see cref="NodeBindingKind.Mapping"/>: the result member or key each dataset takes; otherwise null.</summary>
    public IReadOnlyList<string>? Keys { get; }

    /// <summary>The whole result goes to one dataset.</summary>
    /// <param name="dataset">The dataset name.</param>
    /// <returns>The outputs.</returns>
    public static NodeOutputs Single(string dataset) => new(NodeBindingKind.Single, [dataset], null);

    /// <summary>The members of a returned tuple (or list) go to these datasets, in order.</summary>
    /// <param name="datasets">The dataset names.</param>
    /// <returns>The outputs.</returns>
    public static NodeOutputs List(params string[] datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        return datasets.Length == 0 ? None : new(NodeBindingKind.List, (string[])datasets.Clone(), null);
    }

    /// <summary>Result members or dictionary keys go to the mapped datasets.</summary>
    /// <param name="mapping">Result member or key to dataset name, in the order given.</param>
    /// <returns>The outputs.</returns>
    public static NodeOutputs Mapping(IEnumerable<KeyValuePair<string, string>> mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var pairs = mapping.ToArray();
        return pairs.Length == 0
            ? None
            : new(NodeBindingKind.Mapping, pairs.Select(p => p.Value).ToArray(), pairs.Select(p => p.Key).ToArray());
    }

    /// <summary>Converts one dataset name; <see langword="null"/> means no outputs.</summary>
    /// <param name="dataset">The dataset name.</param>
    public static implicit operator NodeOutputs(string? dataset) => dataset is null ? None : Single(dataset);

    /// <summary>Converts a list of dataset names; <see langword="null"/> means no outputs.</summary>
    /// <param name="datasets">The dataset names.</param>
    public static implicit operator NodeOutputs(string[]? datasets) => datasets is null ? None : List(datasets);

    /// <summary>Converts a mapping from result member or key to dataset name; <see langword="null"/> means no outputs.</summary>
    /// <param name="mapping">The mapping.</param>
    public static implicit operator NodeOutputs(Dictionary<string, string>? mapping) => mapping is null ? None : Mapping(mapping);

    internal NodeOutputs Rename(Func<string, string> rename) =>
        Kind == NodeBindingKind.None ? this : new(Kind, Datasets.Select(rename).ToArray(), (string[]?)Keys);

    /// <summary>
    /// What identifies the outputs in a node's equality and order (Kedro's <c>_unique_key</c>): the kind, then the
    /// dataset names, or for a mapping its pairs sorted by result key, so the map's order does not matter.
    /// </summary>
    internal IReadOnlyList<string> Key => _key ??= BindingKey.Of(Kind, Datasets, Keys);

    /// <summary>The outputs as declared (a mapping as <c>{key: dataset}</c>), for error messages.</summary>
    internal string Describe() => Kind switch
    {
        NodeBindingKind.Mapping => "{" + string.Join(", ", Keys!.Zip(Datasets, (k, d) => $"{k}: {d}")) + "}",
        _ => DescribeList(),
    };

    /// <summary>Kedro's form in a node's description: <c>[a;b]</c> in declared order, or <c>None</c>.</summary>
    internal string DescribeList() => Kind == NodeBindingKind.None ? "None" : "[" + string.Join(";", Datasets) + "]";
}
