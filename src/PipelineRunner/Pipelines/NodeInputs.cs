using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Pipelines;

/// <summary>
/// The datasets a node reads: none, one name, an ordered list (bound to the function's parameters by position) or a
/// mapping from parameter name to dataset name (Kedro's dict form). Converts implicitly from <see cref="string"/>,
/// <see cref="string"/>[] and <see cref="Dictionary{TKey,TValue}"/>.
/// </summary>
public sealed class NodeInputs
{
    private string[]? _key;

    private NodeInputs(NodeBindingKind kind, string[] datasets, string[]? parameterNames)
    {
        Kind = kind;
        Datasets = datasets;
        ParameterNames = parameterNames;
    }

    /// <summary>No inputs.</summary>
    public static NodeInputs None { get; } = new(NodeBindingKind.None, [], null);

    /// <summary>How the datasets bind to the function.</summary>
    public NodeBindingKind Kind { get; }

    /// <summary>The dataset names, in binding order.</summary>
    public IReadOnlyList<string> Datasets { get; }

    /// <summary>For <see cref="NodeBindingKind.Mapping"/>: the parameter name each dataset binds to; otherwise null.</summary>
    public IReadOnlyList<string>? ParameterNames { get; }

    /// <summary>One input dataset, bound to the function's only data parameter.</summary>
    /// <param name="dataset">The dataset name.</param>
    /// <returns>The inputs.</returns>
    public static NodeInputs Single(string dataset) => new(NodeBindingKind.Single, [dataset], null);

    /// <summary>An ordered list of datasets, bound to the function's data parameters by position.</summary>
    /// <param name="datasets">The dataset names.</param>
    /// <returns>The inputs.</returns>
    public static NodeInputs List(params string[] datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        return datasets.Length == 0 ? None : new(NodeBindingKind.List, (string[])datasets.Clone(), null);
    }

    /// <summary>A mapping from the function's parameter names to dataset names.</summary>
    /// <param name="mapping">Parameter name to dataset name, in the order given.</param>
    /// <returns>The inputs.</returns>
    public static NodeInputs Mapping(IEnumerable<KeyValuePair<string, string>> mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var pairs = mapping.ToArray();
        return pairs.Length == 0
            ? None
            : new(NodeBindingKind.Mapping, pairs.Select(p => p.Value).ToArray(), pairs.Select(p => p.Key).ToArray());
    }

    /// <summary>Converts one dataset name; <see langword="null"/> means no inputs.</summary>
    /// <param name="dataset">The dataset name.</param>
    public static implicit operator NodeInputs(string? dataset) => dataset is null ? None : Single(dataset);

    /// <summary>Converts a list of dataset names; <see langword="null"/> means no inputs.</summary>
    /// <param name="datasets">The dataset names.</param>
    public static implicit operator NodeInputs(string[]? datasets) => datasets is null ? None : List(datasets);

    /// <summary>Converts a mapping from parameter name to dataset name; <see langword="null"/> means no inputs.</summary>
    /// <param name="mapping">The mapping.</param>
    public static implicit operator NodeInputs(Dictionary<string, string>? mapping) => mapping is null ? None : Mapping(mapping);

    /// <summary>Returns a copy with every dataset name passed through <paramref name="rename"/>.</summary>
    internal NodeInputs Rename(Func<string, string> rename) =>
        Kind == NodeBindingKind.None ? this : new(Kind, Datasets.Select(rename).ToArray(), (string[]?)ParameterNames);

    /// <summary>
    /// What identifies the inputs in a node's equality and order (Kedro's <c>_unique_key</c>): the kind, then the
    /// dataset names, or for a mapping its pairs sorted by parameter name, so the map's order does not matter.
    /// </summary>
    internal IReadOnlyList<string> Key => _key ??= BindingKey.Of(Kind, Datasets, ParameterNames);

    /// <summary>Returns the same mapping with its pairs in the given order (indices into <see cref="Datasets"/>).</summary>
    internal NodeInputs Reorder(int[] order) =>
        new(Kind, order.Select(i => Datasets[i]).ToArray(), order.Select(i => ParameterNames![i]).ToArray());

    /// <summary>The inputs as declared (a mapping as <c>{parameter: dataset}</c>), for error messages.</summary>
    internal string Describe() => Kind switch
    {
        NodeBindingKind.Mapping => "{" + string.Join(", ", ParameterNames!.Zip(Datasets, (p, d) => $"{p}: {d}")) + "}",
        _ => DescribeList(),
    };

    /// <summary>Kedro's form in a node's description: <c>[a;b]</c> in binding order, or <c>None</c>.</summary>
    internal string DescribeList() => Kind == NodeBindingKind.None ? "None" : "[" + string.Join(";", Datasets) + "]";
}

/// <summary>How a node's dataset names bind to its function's parameters or result.</summary>
public enum NodeBindingKind
{
    /// <summary>No datasets.</summary>
    None,

    /// <summary>One dataset: the only parameter, or the whole result.</summary>
    Single,

    /// <summary>An ordered list: parameters by position, or the members of a returned tuple or list in order.</summary>
    List,

    /// <summary>A mapping: parameter names, or result members/keys, to dataset names.</summary>
    Mapping,
}
