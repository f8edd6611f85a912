using System.Runtime.InteropServices;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Pipelines;

/// <summary>
/// An immutable directed acyclic graph of <see cref="Node"/>s, with Kedro's composition (<c>+ - &amp; |</c>),
/// filtering and modular-pipeline semantics. Construction validates the graph: unique node names, one producer per
/// dataset, no cycles, consistent transcoding and compatible producer/consumer types.
/// </summary>
/// <remarks>Building, sorting and filtering are linear (plus a sort of each topological layer by node name).</remarks>
public sealed class Pipeline
{
    private readonly Node[] _nodes;
    private readonly Dictionary<string, Node> _byName;
    private readonly Dictionary<string, DatasetEntry> _datasets;
    private readonly Node[] _sorted;
    private readonly int[] _groupStarts;
    private Node[][]? _groups;
    private readonly Node[][] _parents;
    private readonly Dictionary<Node, int> _index;
    private IReadOnlySet<string>? _inputs;
    private PipelineGraph? _graph;
    private IReadOnlySet<string>? _outputs;

    /// <summary>Creates a pipeline from nodes (duplicates by name are an error), optionally tagging them all.</summary>
    /// <param name="nodes">The nodes.</param>
    /// <param name="tags">Tags added to every node.</param>
    /// <exception cref="PipelineException">Node names repeat, a dataset is referenced both with and without
    /// transcoding, or producer and consumer types do not fit.</exception>
    /// <exception cref="OutputNotUniqueException">Two nodes produce the same dataset.</exception>
    /// <exception cref="ConfirmNotUniqueException">Two nodes confirm the same dataset.</exception>
    /// <exception cref="CircularDependencyException">The nodes depend on each other in a cycle.</exception>
    public Pipeline(IEnumerable<Node> nodes, IEnumerable<string>? tags = null)
        : this(Tag(nodes ?? throw new ArgumentNullException(nameof(nodes)), tags), dedupe: false, trusted: false)
    {
    }

    /// <param name="nodes">The nodes.</param>
    /// <param name="dedupe">Keep equal nodes once (unions).</param>
    /// <param name="trusted">The nodes are a subset of a valid pipeline, so only the graph needs rebuilding.</param>
    private Pipeline(Node[] nodes, bool dedupe, bool trusted)
    {
        if (dedupe)
        {
            nodes = nodes.Distinct().ToArray();
        }

        _nodes = nodes;
        _byName = new Dictionary<string, Node>(nodes.Length, StringComparer.Ordinal);
        _index = new Dictionary<Node, int>(nodes.Length, ReferenceEqualityComparer.Instance);
        List<string>? duplicates = null;
        for (var i = 0; i < nodes.Length; i++)
        {
            if (!_byName.TryAdd(nodes[i].Name, nodes[i]))
            {
                (duplicates ??= []).Add(nodes[i].Name);
            }

            _index[nodes[i]] = i;
        }

        if (duplicates is not null)
        {
            throw new PipelineException(
                "Pipeline nodes must have unique names. The following node names appear more than once:\n\n" +
                string.Join("\n", duplicates.Distinct().Order(StringComparer.Ordinal).Select(n => "  - " + n)) +
                "\n\nYou can name your nodes using the 'name' argument of Node.Create().");
        }

        // One pass indexes every dataset (one hash lookup per reference); the rest works from the entries.
        (_datasets, var inputEntries) = IndexDatasets(nodes);
        if (!trusted)
        {
            ValidateTranscoding(_datasets);
            ValidateUniqueConfirms(nodes);
        }

        _parents = FindParents(nodes, inputEntries);
        (_sorted, _groupStarts) = SortTopologically();
        if (!trusted)
        {
            ValidateTypes(nodes, inputEntries);
        }
    }

    /// <summary>A pipeline with no nodes.</summary>
    public static Pipeline Empty { get; } = new([]);

    /// <summary>The nodes in a deterministic topological order: layer by layer, each layer sorted by node name.</summary>
    public IReadOnlyList<Node> Nodes => _sorted;

    /// <summary>The topological layers: every node's dependencies are in earlier layers; each layer sorted by name.</summary>
    public IReadOnlyList<IReadOnlyList<Node>> Grouped => _groups ??= MakeGroups();

    /// <summary>For each node, the nodes whose outputs it reads.</summary>
    public IReadOnlyDictionary<Node, IReadOnlySet<Node>> NodeDependencies =>
        _nodes.ToDictionary(n => n, n => (IReadOnlySet<Node>)_parents[_index[n]].ToHashSet());

    /// <summary>The pipeline compiled for running; built on first use and shared by every run.</summary>
    internal PipelineGraph Graph => _graph ??= PipelineGraph.Build(this);

    /// <summary>Finds a node by its full name.</summary>
    /// <param name="name">The node's full name.</param>
    /// <returns>The node, or null.</returns>
    public Node? FindNode(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The nodes whose outputs <paramref name="node"/> reads.</summary>
    /// <param name="node">A node of this pipeline.</param>
    /// <returns>Its direct dependencies.</returns>
    public IReadOnlyList<Node> DependenciesOf(Node node) =>
        _index.TryGetValue(node, out var i) ? _parents[i] : throw new ArgumentException($"Node '{node?.Name}' is not in this pipeline.", nameof(node));

    /// <summary>Every dataset some node reads.</summary>
    /// <returns>The names.</returns>
    public IReadOnlySet<string> AllInputs() => _nodes.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every dataset some node writes.</summary>
    /// <returns>The names.</returns>
    public IReadOnlySet<string> AllOutputs() => _nodes.SelectMany(n => n.Outputs).ToHashSet(StringComparer.Ordinal);

    /// <summary>The free inputs: read by some node and written by none (transcoding resolved).</summary>
    /// <returns>The names.</returns>
    public IReadOnlySet<string> Inputs() => _inputs ??= RemoveIntermediates(AllInputs());

    /// <summary>The free outputs: written by some node and read by none (transcoding resolved).</summary>
    /// <returns>The names.</returns>
    public IReadOnlySet<string> Outputs() => _outputs ??= RemoveIntermediates(AllOutputs());

    /// <summary>Every dataset read or written.</summary>
    /// <returns>The names.</returns>
    public IReadOnlySet<string> Datasets()
    {
        var all = _nodes.SelectMany(n => n.Outputs).ToHashSet(StringComparer.Ordinal);
        all.UnionWith(_nodes.SelectMany(n => n.Inputs));
        return all;
    }

    /// <summary>The union of two pipelines; equal nodes are kept once.</summary>
    /// <param name="left">A pipeline.</param>
    /// <param name="right">Another pipeline.</param>
    /// <returns>The union.</returns>
    public static Pipeline operator +(Pipeline left, Pipeline right) => Union(left, right);

    /// <summary>The nodes of <paramref name="left"/> that are not in <paramref name="right"/>.</summary>
    /// <param name="left">A pipeline.</param>
    /// <param name="right">Another pipeline.</param>
    /// <returns>The difference.</returns>
    public static Pipeline operator -(Pipeline left, Pipeline right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var remove = right._nodes.ToHashSet();
        return left.Subset(left._nodes.Where(n => !remove.Contains(n)));
    }

    /// <summary>The nodes in both pipelines.</summary>
    /// <param name="left">A pipeline.</param>
    /// <param name="right">Another pipeline.</param>
    /// <returns>The intersection.</returns>
    public static Pipeline operator &(Pipeline left, Pipeline right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var keep = right._nodes.ToHashSet();
        return left.Subset(left._nodes.Where(keep.Contains));
    }

    /// <summary>The union of two pipelines, as <c>+</c>.</summary>
    /// <param name="left">A pipeline.</param>
    /// <param name="right">Another pipeline.</param>
    /// <returns>The union.</returns>
    public static Pipeline operator |(Pipeline left, Pipeline right) => Union(left, right);

    /// <summary>The union of two pipelines; equal nodes are kept once.</summary>
    /// <param name="left">A pipeline.</param>
    /// <param name="right">Another pipeline.</param>
    /// <returns>The union.</returns>
    public static Pipeline Union(Pipeline left, Pipeline right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new([.. left._nodes, .. right._nodes], dedupe: true, trusted: false);
    }

    /// <summary>The union of many pipelines; equal nodes are kept once.</summary>
    /// <param name="pipelines">The pipelines.</param>
    /// <returns>The union.</returns>
    public static Pipeline Union(params IEnumerable<Pipeline> pipelines)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        return new(pipelines.SelectMany(p => p._nodes).ToArray(), dedupe: true, trusted: false);
    }

    /// <summary>Only the named nodes.</summary>
    /// <param name="nodeNames">Full node names.</param>
    /// <returns>The sub-pipeline.</returns>
    /// <exception cref="ArgumentException">A name is not in the pipeline.</exception>
    public Pipeline OnlyNodes(params IEnumerable<string> nodeNames) => Subset(SelectNodes(nodeNames));

    /// <summary>Only the nodes in any of the given namespaces, including nested namespaces.</summary>
    /// <param name="namespaces">Namespaces.</param>
    /// <returns>The sub-pipeline.</returns>
    /// <exception cref="ArgumentException">No node is in one of the namespaces.</exception>
    public Pipeline OnlyNodesWithNamespace(params IEnumerable<string> namespaces) => Subset(SelectNamespaces(namespaces));

    /// <summary>Only the nodes that have any of the given tags; empty if no tags are given.</summary>
    /// <param name="tags">Tags.</param>
    /// <returns>The sub-pipeline.</returns>
    public Pipeline OnlyNodesWithTags(params IEnumerable<string> tags) => Subset(SelectTags(tags));

    /// <summary>Only the nodes that read any of the datasets directly. A name without a format matches every transcoding.</summary>
    /// <param name="inputs">Dataset names.</param>
    /// <returns>The sub-pipeline.</returns>
    /// <exception cref="ArgumentException">A dataset is not in the pipeline.</exception>
    public Pipeline OnlyNodesWithInputs(params IEnumerable<string> inputs) => Subset(NodesReading(inputs.ToHashSet(StringComparer.Ordinal)));

    /// <summary>The nodes that depend, directly or transitively, on any of the datasets.</summary>
    /// <param name="inputs">Dataset names.</param>
    /// <returns>The sub-pipeline.</returns>
    /// <exception cref="ArgumentException">A dataset is not in the pipeline.</exception>
    public Pipeline FromInputs(params IEnumerable<string> inputs) => Subset(SelectFromInputs(inputs));

    /// <summary>Only the nodes that write any of the datasets. A name without a format matches every transcoding.</summary>
    /// <param name="outputs">Dataset names.</param>
    /// <returns>The sub-pipeline.</returns>
    /// <exception cref="ArgumentException">A dataset is not in the pipeline.</exception>
    public Pipeline OnlyNodesWithOutputs(params IEnumerable<string> outputs) => Subset(NodesWriting(outputs.ToHashSet(StringComparer.Ordinal)));

    /// <summary>The nodes needed, directly or transitively, to produce the datasets.</summary>
    /// <param name="outputs">Dataset names.</param>
    /// <returns>The sub-pipeline.</returns>
    /// <exception cref="ArgumentException">A dataset is not in the pipeline.</exception>
    public Pipeline ToOutputs(params IEnumerable<string> outputs) => Subset(SelectToOutputs(outputs));

    /// <summary>The named nodes and every node downstream of them.</summary>
    /// <param name="nodeNames">Full node names.</param>
    /// <returns>The sub-pipeline.</returns>
    /// <exception cref="ArgumentException">A name is not in the pipeline.</exception>
    public Pipeline FromNodes(params IEnumerable<string> nodeNames) => Subset(SelectFromNodes(nodeNames));

    /// <summary>The named nodes and every node upstream of them.</summary>
    /// <param name="nodeNames">Full node names.</param>
    /// <returns>The sub-pipeline.</returns>
    /// <exception cref="ArgumentException">A name is not in the pipeline.</exception>
    public Pipeline ToNodes(params IEnumerable<string> nodeNames) => Subset(SelectToNodes(nodeNames));

    /// <summary>
    /// The intersection of the sub-pipelines each given condition selects (not the same as chaining the filters).
    /// </summary>
    /// <param name="filter">The conditions.</param>
    /// <returns>The filtered pipeline.</returns>
    /// <exception cref="ArgumentException">A condition names something not in the pipeline, or no node is left.</exception>
    public Pipeline Filter(PipelineFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        HashSet<Node>? result = null;
        void Apply(IReadOnlyList<string>? values, Func<IReadOnlyList<string>, IEnumerable<Node>> select)
        {
            if (values is { Count: > 0 })
            {
                var selected = select(values);
                if (result is null)
                {
                    result = new HashSet<Node>(selected, ReferenceEqualityComparer.Instance);
                }
                else
                {
                    result.IntersectWith(selected);
                }
            }
        }

        Apply(filter.Tags, SelectTags);
        Apply(filter.FromNodes, SelectFromNodes);
        Apply(filter.ToNodes, SelectToNodes);
        Apply(filter.NodeNames, SelectNodes);
        Apply(filter.FromInputs, SelectFromInputs);
        Apply(filter.ToOutputs, SelectToOutputs);
        Apply(filter.NodeNamespaces, SelectNamespaces);
        var filtered = result is null ? this : Subset(result);
        if (filtered._nodes.Length == 0)
        {
            throw new ArgumentException(
                "Pipeline contains no nodes after applying all provided filters. Please ensure that at least one pipeline with nodes has been defined."
                + DescribeUnknownTags(filter.Tags));
        }

        return filtered;
    }

    /// <summary>Returns a copy with the tags added to every node.</summary>
    /// <param name="tags">Tags.</param>
    /// <returns>The tagged pipeline.</returns>
    public Pipeline WithTags(params IEnumerable<string> tags)
    {
        var list = tags.ToList();
        return new(_nodes.Select(n => n.WithTags(list)).ToArray(), dedupe: false, trusted: false);
    }

    /// <summary>
    /// Kedro's modular pipeline: a copy of <paramref name="pipeline"/> whose free inputs, outputs and parameters are
    /// renamed by the mappings and whose other datasets and node names are prefixed with <paramref name="namespace"/>.
    /// </summary>
    /// <param name="pipeline">The pipeline to reuse.</param>
    /// <param name="inputs">Free inputs to keep or rename (not parameters).</param>
    /// <param name="outputs">Outputs (free or intermediate) to keep or rename.</param>
    /// <param name="parameters">Parameters to keep or rename; the <c>params:</c> prefix is optional.</param>
    /// <param name="namespace">
    /// Prefix for node names, node namespaces and unmapped datasets and parameters; null or empty for none.
    /// </param>
    /// <param name="tags">Tags added to every node.</param>
    /// <returns>The new pipeline.</returns>
    /// <exception cref="PipelineException">A mapped name does not exist, an input is not a free input, an output is a
    /// free input, or a parameter is given as an input.</exception>
    public static Pipeline Create(
        Pipeline pipeline,
        DatasetMapping? inputs = null,
        DatasetMapping? outputs = null,
        DatasetMapping? parameters = null,
        string? @namespace = null,
        IEnumerable<string>? tags = null) =>
        Create(pipeline, new ModularPipelineOptions { Inputs = inputs, Outputs = outputs, Parameters = parameters, Namespace = @namespace, Tags = tags });

    /// <summary>
    /// Kedro's modular pipeline with all its options: a copy of <paramref name="pipeline"/> whose free inputs, outputs
    /// and parameters are renamed by the mappings, whose node names get the namespace, and whose other datasets and
    /// parameters get it too unless <see cref="ModularPipelineOptions.PrefixDatasetsWithNamespace"/> is false.
    /// </summary>
    /// <param name="pipeline">The pipeline to reuse.</param>
    /// <param name="options">The mappings, namespace, tags and whether datasets are prefixed.</param>
    /// <returns>The new pipeline, or <paramref name="pipeline"/> itself when no option is set.</returns>
    /// <exception cref="PipelineException">A mapped name does not exist, an input is not a free input, an output is a
    /// free input, or a parameter is given as an input.</exception>
    public static Pipeline Create(Pipeline pipeline, ModularPipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        var source = options.Tags is null ? pipeline : pipeline.WithTags(options.Tags);
        var @namespace = options.Namespace;
        if (@namespace?.Length == 0)
        {
            @namespace = null; // as in Kedro, an empty namespace prefixes nothing
        }

        if (options.Inputs is null && options.Outputs is null && options.Parameters is null && @namespace is null)
        {
            return source;
        }

        return ModularPipelineMapper.Map(source, options.Inputs, options.Outputs, options.Parameters, @namespace, options.PrefixDatasetsWithNamespace);
    }

    /// <summary>Describes the pipeline: inputs, each node's name in run order, outputs.</summary>
    /// <returns>The description.</returns>
    public string Describe() => Describe(NodeDescriptionStyle.Name);

    /// <summary>
    /// Describes the pipeline as Kedro's <c>Pipeline.describe</c>: free inputs, each node in run order (its name, or
    /// with <see cref="NodeDescriptionStyle.Full"/> its <c>name: function([inputs]) -> [outputs]</c>), free outputs.
    /// </summary>
    /// <param name="style">How each node is shown.</param>
    /// <returns>The description, one line per node between a header with the inputs and a footer with the outputs.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="style"/> is not a defined value.</exception>
    public string Describe(NodeDescriptionStyle style)
    {
        Func<Node, string> describe = style switch
        {
            NodeDescriptionStyle.Name => static n => n.Name,
            NodeDescriptionStyle.Full => static n => n.ToString(),
            _ => throw new ArgumentOutOfRangeException(nameof(style), style, "Use NodeDescriptionStyle.Name or NodeDescriptionStyle.Full."),
        };
        static string Join(IEnumerable<string> names) => names.Any() ? string.Join(", ", names.Order(StringComparer.Ordinal)) : "None";
        var lines = new List<string> { "#### Pipeline execution order ####", "Inputs: " + Join(Inputs()), string.Empty };
        lines.AddRange(_sorted.Select(describe));
        lines.Add(string.Empty);
        lines.Add("Outputs: " + Join(Outputs()));
        lines.Add("##################################");
        return string.Join("\n", lines);
    }

    /// <inheritdoc />
    public override string ToString() => $"Pipeline([{string.Join(", ", _sorted.Select(n => n.Name))}])";

    /// <summary>The pipeline made of some of this pipeline's nodes (in their original order), without re-validating.</summary>
    internal Pipeline Subset(IEnumerable<Node> nodes)
    {
        var chosen = new bool[_nodes.Length];
        var count = 0;
        foreach (var node in nodes)
        {
            var i = _index.TryGetValue(node, out var found) ? found
                : throw new ArgumentException($"Node '{node.Name}' is not in this pipeline.", nameof(nodes));
            if (!chosen[i])
            {
                chosen[i] = true;
                count++;
            }
        }

        if (count == _nodes.Length)
        {
            return this;
        }

        var subset = new Node[count];
        for (int i = 0, j = 0; i < _nodes.Length; i++)
        {
            if (chosen[i])
            {
                subset[j++] = _nodes[i];
            }
        }

        return new Pipeline(subset, dedupe: false, trusted: true);
    }

    private List<Node> SelectNodes(IEnumerable<string> nodeNames)
    {
        var names = nodeNames.ToArray();
        var unknown = names.Where(n => !_byName.ContainsKey(n)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            // As in Kedro, the same name under a namespace first; then names that are spelled alike.
            var suggestions = unknown.SelectMany(u => _byName.Keys.Where(k => k.EndsWith("." + u, StringComparison.Ordinal)))
                .Order(StringComparer.Ordinal)
                .Concat(CloseNames.Find(unknown, _byName.Keys))
                .Distinct(StringComparer.Ordinal).ToList();
            throw new ArgumentException(
                $"Pipeline does not contain nodes named [{string.Join(", ", unknown)}]." + CloseNames.DidYouMean(suggestions));
        }

        return names.Select(n => _byName[n]).ToList();
    }

    private List<Node> SelectNamespaces(IEnumerable<string> namespaces)
    {
        var selected = new List<Node>();
        var unmatched = new List<string>();
        foreach (var ns in namespaces)
        {
            var matching = _nodes.Where(n => n.Namespace is { } own
                && (own == ns || own.StartsWith(ns + ".", StringComparison.Ordinal))).ToList();
            if (matching.Count == 0)
            {
                unmatched.Add(ns);
            }

            selected.AddRange(matching);
        }

        if (unmatched.Count > 0)
        {
            var known = _nodes.Where(n => n.Namespace is not null).SelectMany(n => NamespaceAndParents(n.Namespace!)).ToHashSet(StringComparer.Ordinal);
            throw new ArgumentException(
                $"Pipeline does not contain nodes with the following namespaces: [{string.Join(", ", unmatched)}]"
                + WithSuggestions(CloseNames.Find(unmatched, known)));
        }

        return selected;
    }

    /// <summary>
    /// For an empty filter result: the given tags no node has (Kedro would just find no nodes), with close tags that
    /// exist; empty when every tag exists.
    /// </summary>
    private string DescribeUnknownTags(IReadOnlyList<string>? tags)
    {
        if (tags is not { Count: > 0 })
        {
            return string.Empty;
        }

        var known = _nodes.SelectMany(n => n.Tags).ToHashSet(StringComparer.Ordinal);
        var unknown = tags.Where(t => !known.Contains(t)).Distinct(StringComparer.Ordinal).ToList();
        return unknown.Count == 0
            ? string.Empty
            : $" No node has the tag(s) [{string.Join(", ", unknown)}]." + CloseNames.DidYouMean(CloseNames.Find(unknown, known));
    }

    /// <summary>Ends a message that has no full stop of its own (as Kedro words it) with the suggestions, if any.</summary>
    private static string WithSuggestions(IReadOnlyList<string> suggestions) =>
        suggestions.Count > 0 ? "." + CloseNames.DidYouMean(suggestions) : string.Empty;

    private static IEnumerable<string> NamespaceAndParents(string @namespace)
    {
        for (var end = @namespace.IndexOf('.', StringComparison.Ordinal); end >= 0; end = @namespace.IndexOf('.', end + 1))
        {
            yield return @namespace[..end];
        }

        yield return @namespace;
    }

    private List<Node> SelectTags(IEnumerable<string> tags)
    {
        var wanted = tags.ToHashSet(StringComparer.Ordinal);
        var selected = new List<Node>();
        foreach (var node in _nodes)
        {
            for (var i = 0; i < node.Tags.Count; i++)
            {
                if (wanted.Contains(node.Tags[i]))
                {
                    selected.Add(node);
                    break;
                }
            }
        }

        return selected;
    }

    private HashSet<Node> SelectFromInputs(IEnumerable<string> inputs) =>
        Closure(NodesReading(inputs.ToHashSet(StringComparer.Ordinal)), VisitReadersOfOutputs);

    private HashSet<Node> SelectToOutputs(IEnumerable<string> outputs) =>
        Closure(NodesWriting(outputs.ToHashSet(StringComparer.Ordinal)), (node, visit) =>
        {
            foreach (var parent in _parents[_index[node]])
            {
                visit(parent);
            }
        });

    /// <summary>The start nodes and every node <paramref name="expand"/> reaches from them, transitively.</summary>
    private static HashSet<Node> Closure(IEnumerable<Node> start, Action<Node, Action<Node>> expand)
    {
        var result = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<Node>();
        void Visit(Node node)
        {
            if (result.Add(node))
            {
                queue.Enqueue(node);
            }
        }

        Action<Node> visit = Visit;
        foreach (var node in start)
        {
            Visit(node);
        }

        while (queue.TryDequeue(out var node))
        {
            expand(node, visit);
        }

        return result;
    }

    private void VisitReadersOfOutputs(Node node, Action<Node> visit)
    {
        foreach (var output in node.Outputs)
        {
            if (_datasets.TryGetValue(DatasetNames.StripTranscoding(output), out var entry) && entry.Readers is { } readers)
            {
                foreach (var reader in readers)
                {
                    visit(reader);
                }
            }
        }
    }

    private HashSet<Node> SelectFromNodes(IEnumerable<string> nodeNames)
    {
        var start = SelectNodes(nodeNames);
        var result = new HashSet<Node>(start, ReferenceEqualityComparer.Instance);
        var outputs = start.SelectMany(n => n.Outputs).Select(DatasetNames.StripTranscoding).ToList();
        if (outputs.Count > 0)
        {
            result.UnionWith(SelectFromInputs(outputs));
        }

        return result;
    }

    private HashSet<Node> SelectToNodes(IEnumerable<string> nodeNames)
    {
        var end = SelectNodes(nodeNames);
        var result = new HashSet<Node>(end, ReferenceEqualityComparer.Instance);
        var inputs = end.SelectMany(n => n.Inputs).Select(DatasetNames.StripTranscoding).ToList();
        if (inputs.Count > 0)
        {
            result.UnionWith(SelectToOutputs(inputs));
        }

        return result;
    }

    private static Node[] Tag(IEnumerable<Node> nodes, IEnumerable<string>? tags)
    {
        var array = nodes.ToArray();
        if (Array.IndexOf(array, null) >= 0)
        {
            throw new ArgumentException("A pipeline's nodes must not be null.", nameof(nodes));
        }

        if (tags is null)
        {
            return array;
        }

        var list = tags.ToList();
        return list.Count == 0 ? array : array.Select(n => n.WithTags(list)).ToArray();
    }

    private IReadOnlySet<string> RemoveIntermediates(IReadOnlySet<string> datasets)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in datasets.Order(StringComparer.Ordinal))
        {
            var stripped = DatasetNames.StripTranscoding(name);
            if (!(_datasets.TryGetValue(stripped, out var entry) && entry.Producer is not null && entry.Readers is not null))
            {
                result.Add(name);
            }
        }

        return result;
    }

    private void CheckDatasetsExist(HashSet<string> datasets)
    {
        // A plain name matches any transcoding of it; a transcoded name (a@pandas) must exist as written, as in Kedro.
        bool Known(string dataset)
        {
            var stripped = DatasetNames.StripTranscoding(dataset);
            return _datasets.TryGetValue(stripped, out var entry)
                && (stripped == dataset
                    || entry.Producer?.Outputs.Contains(dataset) == true
                    || entry.Readers?.Any(r => r.Inputs.Contains(dataset)) == true);
        }

        var missing = datasets.Where(d => !Known(d)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException(
                $"Pipeline does not contain datasets named [{string.Join(", ", missing)}]" + WithSuggestions(CloseNames.Find(missing, Datasets())));
        }
    }

    private List<Node> NodesReading(HashSet<string> datasets)
    {
        CheckDatasetsExist(datasets);
        var result = new List<Node>();
        foreach (var dataset in datasets)
        {
            var stripped = DatasetNames.StripTranscoding(dataset);
            if (_datasets.TryGetValue(stripped, out var entry) && entry.Readers is { } readers)
            {
                result.AddRange(stripped == dataset ? readers : readers.Where(r => r.Inputs.Contains(dataset)));
            }
        }

        return result;
    }

    private List<Node> NodesWriting(HashSet<string> datasets)
    {
        CheckDatasetsExist(datasets);
        var result = new List<Node>();
        foreach (var dataset in datasets)
        {
            var stripped = DatasetNames.StripTranscoding(dataset);
            if (_datasets.TryGetValue(stripped, out var entry) && entry.Producer is { } writer && (stripped == dataset || writer.Outputs.Contains(dataset)))
            {
                result.Add(writer);
            }
        }

        return result;
    }

    private static void ValidateTranscoding(Dictionary<string, DatasetEntry> datasets)
    {
        var invalid = datasets.Where(d => d.Value.Plain && d.Value.Transcoded).Select(d => d.Key).Order(StringComparer.Ordinal).ToList();
        if (invalid.Count > 0)
        {
            throw new PipelineException(
                $"The following datasets are used with transcoding, but were referenced without the separator: {string.Join(", ", invalid)}.\nPlease specify a transcoding option or rename the datasets.");
        }
    }

    private static (Dictionary<string, DatasetEntry> Datasets, DatasetEntry[][] InputEntries) IndexDatasets(Node[] nodes)
    {
        var datasets = new Dictionary<string, DatasetEntry>(nodes.Length, StringComparer.Ordinal);
        var inputEntries = new DatasetEntry[nodes.Length][];
        SortedSet<string>? duplicates = null;
        DatasetEntry Entry(string name)
        {
            var key = DatasetNames.StripTranscoding(name);
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(datasets, key, out _);
            entry ??= new DatasetEntry();
            if (key.Length == name.Length)
            {
                entry.Plain = true;
            }
            else
            {
                entry.Transcoded = true;
            }

            return entry;
        }

        for (var n = 0; n < nodes.Length; n++)
        {
            var node = nodes[n];
            foreach (var output in node.Outputs)
            {
                var entry = Entry(output);
                if (entry.Producer is null)
                {
                    entry.Producer = node;
                }
                else
                {
                    (duplicates ??= new(StringComparer.Ordinal)).Add(DatasetNames.StripTranscoding(output));
                }
            }

            var inputs = node.Inputs;
            var entries = inputEntries[n] = inputs.Count == 0 ? [] : new DatasetEntry[inputs.Count];
            for (var i = 0; i < inputs.Count; i++)
            {
                var entry = entries[i] = Entry(inputs[i]);
                var readers = entry.Readers ??= [];
                if (readers.Count == 0 || !ReferenceEquals(readers[^1], node))
                {
                    readers.Add(node);
                }
            }
        }

        if (duplicates is not null)
        {
            var producers = duplicates.Select(d => $"'{d}' (by {string.Join(", ", nodes.Where(n => n.Outputs.Any(o => DatasetNames.StripTranscoding(o) == d)).Select(n => n.Name))})");
            throw new OutputNotUniqueException(
                $"Output(s) [{string.Join(", ", duplicates)}] are returned by more than one nodes. Node outputs must be unique: {string.Join("; ", producers)}.");
        }

        return (datasets, inputEntries);
    }

    private static void ValidateUniqueConfirms(Node[] nodes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var confirm in nodes.SelectMany(n => n.Confirms).Select(DatasetNames.StripTranscoding))
        {
            if (!seen.Add(confirm))
            {
                duplicates.Add(confirm);
            }
        }

        if (duplicates.Count > 0)
        {
            throw new ConfirmNotUniqueException(
                $"[{string.Join(", ", duplicates)}] datasets are confirmed by more than one node. Node confirms must be unique.");
        }
    }

    private static Node[][] FindParents(Node[] nodes, DatasetEntry[][] inputEntries)
    {
        var parents = new Node[nodes.Length][];
        var scratch = new List<Node>();
        for (var i = 0; i < nodes.Length; i++)
        {
            scratch.Clear();
            foreach (var entry in inputEntries[i])
            {
                if (entry.Producer is { } producer && !scratch.Contains(producer))
                {
                    scratch.Add(producer);
                }
            }

            parents[i] = scratch.Count == 0 ? [] : [.. scratch];
        }

        return parents;
    }

    private Node[][] MakeGroups()
    {
        var groups = new Node[_groupStarts.Length][];
        for (var g = 0; g < groups.Length; g++)
        {
            var end = g + 1 < _groupStarts.Length ? _groupStarts[g + 1] : _sorted.Length;
            groups[g] = _sorted[_groupStarts[g]..end];
        }

        return groups;
    }

    private (Node[] Sorted, int[] GroupStarts) SortTopologically()
    {
        // Kahn's algorithm by layers over a compact child index (CSR): linear apart from sorting each layer by name.
        var count = _nodes.Length;
        var pending = new int[count];
        var childStart = new int[count + 1];
        var parentIndex = new int[count][];
        for (var i = 0; i < count; i++)
        {
            var parents = _parents[i];
            pending[i] = parents.Length;
            var indices = parentIndex[i] = parents.Length == 0 ? [] : new int[parents.Length];
            for (var k = 0; k < parents.Length; k++)
            {
                indices[k] = _index[parents[k]];
                childStart[indices[k] + 1]++;
            }
        }

        for (var i = 0; i < count; i++)
        {
            childStart[i + 1] += childStart[i];
        }

        var children = new int[childStart[count]];
        var fill = (int[])childStart.Clone();
        for (var i = 0; i < count; i++)
        {
            foreach (var p in parentIndex[i])
            {
                children[fill[p]++] = i;
            }
        }

        var sorted = new Node[count];
        var groupStarts = new List<int>();
        var layer = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (pending[i] == 0)
            {
                layer.Add(i);
            }
        }

        var done = 0;
        var next = new List<int>();
        while (layer.Count > 0)
        {
            groupStarts.Add(done);
            for (var i = 0; i < layer.Count; i++)
            {
                sorted[done + i] = _nodes[layer[i]];
            }

            if (layer.Count > 1)
            {
                Array.Sort(sorted, done, layer.Count); // Kedro's node order: by name, unique within a pipeline
            }

            done += layer.Count;
            next.Clear();
            foreach (var i in layer)
            {
                for (var c = childStart[i]; c < childStart[i + 1]; c++)
                {
                    if (--pending[children[c]] == 0)
                    {
                        next.Add(children[c]);
                    }
                }
            }

            (layer, next) = (next, layer);
        }

        if (done < count)
        {
            throw new CircularDependencyException(FindCycle(pending));
        }

        return (sorted, groupStarts.ToArray());
    }

    private List<string> FindCycle(int[] pending)
    {
        // Every node left with pending parents has a pending parent; walking parents must revisit a node.
        var start = Array.FindIndex(pending, p => p > 0);
        var path = new List<int>();
        var position = new Dictionary<int, int>();
        var current = start;
        while (!position.ContainsKey(current))
        {
            position[current] = path.Count;
            path.Add(current);
            current = _index[_parents[current].First(p => pending[_index[p]] > 0)];
        }

        var cycle = path.Skip(position[current]).Select(i => _nodes[i].Name).ToList();
        cycle.Reverse(); // each node depends on the one before it
        return cycle;
    }

    private static void ValidateTypes(Node[] nodes, DatasetEntry[][] inputEntries)
    {
        for (var n = 0; n < nodes.Length; n++)
        {
            var consumer = nodes[n];
            for (var i = 0; i < consumer.Inputs.Count; i++)
            {
                if (inputEntries[n][i].Producer is not { } producer)
                {
                    continue;
                }

                var dataset = consumer.Inputs[i];
                for (var o = 0; o < producer.Outputs.Count; o++)
                {
                    // Different transcodings of one dataset are different representations: only compare the same name.
                    if (producer.Outputs[o] == dataset && producer.OutputTypes[o] is { } produced
                        && !ValueConverter.AreCompatible(produced, consumer.InputTypes[i]))
                    {
                        throw new DatasetTypeMismatchException(dataset, producer.Name, produced, consumer.Name, consumer.InputTypes[i]);
                    }
                }
            }
        }
    }

    /// <summary>What the pipeline knows of one underlying (untranscoded) dataset.</summary>
    private sealed class DatasetEntry
    {
        public Node? Producer { get; set; }

        public List<Node>? Readers { get; set; }

        public bool Plain { get; set; }

        public bool Transcoded { get; set; }
    }
}
