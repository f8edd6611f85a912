using PipelineRunner.Pipelines;

namespace PipelineRunner.Visualization.Internal;

/// <summary>What a vertex of the graph is: a node (task), a dataset, or a parameter.</summary>
internal enum VertexKind
{
    Task,
    Data,
    Parameters,
}

/// <summary>A vertex of the exported graph: a node or a dataset (transcoded names of one dataset are one vertex).</summary>
internal sealed class GraphVertex
{
    /// <summary>An identifier safe in every format: ASCII letters, digits and <c>_</c>, unique in the graph.</summary>
    public required string Id { get; init; }

    /// <summary>The node's full name, or the dataset's name without its transcoding.</summary>
    public required string Name { get; init; }

    public required VertexKind Kind { get; init; }

    /// <summary>The index of the innermost namespace holding the vertex in <see cref="GraphModel.Namespaces"/>, or -1.</summary>
    public int Namespace { get; set; } = -1;

    /// <summary>Sorted ordinally: a node's tags, or the union of the tags of the nodes touching a dataset.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>A node's input datasets as declared; a dataset's producing node names.</summary>
    public string[] Inputs { get; set; } = [];

    /// <summary>A node's output datasets as declared; a dataset's reading node names.</summary>
    public string[] Outputs { get; set; } = [];

    /// <summary>A dataset's transcoding formats (<c>x@csv</c> gives <c>csv</c>), sorted ordinally; empty for nodes.</summary>
    public string[] Transcodings { get; set; } = [];

    /// <summary>For nodes, the topological layer (<see cref="Pipeline.Grouped"/>); -1 for datasets.</summary>
    public int Layer { get; init; } = -1;
}

/// <summary>A namespace (Kedro's modular pipeline): a cluster of vertices, nested by namespace prefix.</summary>
internal sealed class GraphNamespace
{
    /// <summary>The full namespace (<c>a.b</c>).</summary>
    public required string FullName { get; init; }

    /// <summary>A safe identifier (<c>ns_a_b</c>), unique in the graph.</summary>
    public required string Id { get; init; }

    /// <summary>The last segment of the namespace.</summary>
    public required string Name { get; init; }

    /// <summary>The enclosing namespace's index, or -1 at the top level.</summary>
    public required int Parent { get; init; }

    /// <summary>Nested namespaces' indexes, in ordinal order of their names.</summary>
    public List<int> Children { get; } = [];

    /// <summary>Vertices directly in this namespace (not in a nested one), in vertex order.</summary>
    public List<int> Vertices { get; } = [];

    /// <summary>Datasets outside the namespace that its nodes read, by vertex index, sorted.</summary>
    public SortedSet<int> Inputs { get; } = [];

    /// <summary>Datasets outside the namespace that its nodes write, by vertex index, sorted.</summary>
    public SortedSet<int> Outputs { get; } = [];

    /// <summary>Nesting depth: 0 for a top-level namespace.</summary>
    public required int Depth { get; init; }
}

/// <summary>
/// A pipeline as a graph for export: node vertices (in <see cref="Pipeline.Nodes"/> order), then dataset vertices
/// (ordinal by name), edges dataset → node → dataset, and namespaces as nested clusters (ordinal by full name, so a
/// parent precedes its children). Everything is ordered deterministically.
/// </summary>
internal sealed class GraphModel
{
    private GraphModel(List<GraphVertex> vertices, List<(int Source, int Target)> edges, List<GraphNamespace> namespaces, int layers)
    {
        Vertices = vertices;
        Edges = edges;
        Namespaces = namespaces;
        LayerCount = layers;
    }

    public IReadOnlyList<GraphVertex> Vertices { get; }

    /// <summary>Edges by vertex index: for each node in order, its inputs' edges, then its outputs'.</summary>
    public IReadOnlyList<(int Source, int Target)> Edges { get; }

    public IReadOnlyList<GraphNamespace> Namespaces { get; }

    /// <summary>The number of topological layers of nodes.</summary>
    public int LayerCount { get; }

    /// <summary>Every tag of the pipeline's nodes, sorted ordinally.</summary>
    public IReadOnlyList<string> AllTags => Vertices.Where(v => v.Kind == VertexKind.Task).SelectMany(v => v.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public static GraphModel Build(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var vertices = new List<GraphVertex>();
        var nodeIndex = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var layers = pipeline.Grouped;
        for (var layer = 0; layer < layers.Count; layer++)
        {
            foreach (var node in layers[layer])
            {
                nodeIndex[node] = vertices.Count;
                vertices.Add(new GraphVertex
                {
                    Id = UniqueId("task_", node.Name, ids),
                    Name = node.Name,
                    Kind = VertexKind.Task,
                    Tags = [.. node.Tags],
                    Inputs = [.. node.Inputs],
                    Outputs = [.. node.Outputs],
                    Layer = layer,
                });
            }
        }

        // Datasets by name without transcoding; who writes and reads each.
        var datasets = new SortedDictionary<string, DatasetInfo>(StringComparer.Ordinal);
        foreach (var node in pipeline.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                Info(input).Readers.Add(node);
            }

            foreach (var output in node.Outputs)
            {
                Info(output).Writers.Add(node);
            }
        }

        var datasetIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, info) in datasets)
        {
            var parameter = DatasetNames.IsParameter(name);
            datasetIndex[name] = vertices.Count;
            vertices.Add(new GraphVertex
            {
                Id = UniqueId(parameter ? "param_" : "data_", parameter && DatasetNames.IsSingleParameter(name) ? name[DatasetNames.ParameterPrefix.Length..] : name, ids),
                Name = name,
                Kind = parameter ? VertexKind.Parameters : VertexKind.Data,
                Tags = [.. info.Writers.Concat(info.Readers).SelectMany(n => n.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                Inputs = [.. info.Writers.Select(n => n.Name).Distinct(StringComparer.Ordinal)],
                Outputs = [.. info.Readers.Select(n => n.Name).Distinct(StringComparer.Ordinal)],
                Transcodings = [.. info.Formats.Order(StringComparer.Ordinal)],
            });
        }

        // Edges: dataset → node for each input, node → dataset for each output, once each.
        var edges = new List<(int, int)>();
        var seen = new HashSet<(int, int)>();
        foreach (var node in pipeline.Nodes)
        {
            var n = nodeIndex[node];
            foreach (var input in node.Inputs)
            {
                var edge = (datasetIndex[DatasetNames.StripTranscoding(input)], n);
                if (seen.Add(edge))
                {
                    edges.Add(edge);
                }
            }

            foreach (var output in node.Outputs)
            {
                var edge = (n, datasetIndex[DatasetNames.StripTranscoding(output)]);
                if (seen.Add(edge))
                {
                    edges.Add(edge);
                }
            }
        }

        var namespaces = BuildNamespaces(pipeline, vertices, nodeIndex, datasets, datasetIndex, ids);
        return new GraphModel(vertices, edges, namespaces, layers.Count);

        DatasetInfo Info(string declared)
        {
            var (baseName, format) = DatasetNames.SplitTranscoding(declared);
            if (!datasets.TryGetValue(baseName, out var info))
            {
                datasets[baseName] = info = new DatasetInfo();
            }

            if (format.Length > 0)
            {
                info.Formats.Add(format);
            }

            return info;
        }
    }

    private static List<GraphNamespace> BuildNamespaces(
        Pipeline pipeline,
        List<GraphVertex> vertices,
        Dictionary<Node, int> nodeIndex,
        SortedDictionary<string, DatasetInfo> datasets,
        Dictionary<string, int> datasetIndex,
        HashSet<string> ids)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var node in pipeline.Nodes)
        {
            names.UnionWith(node.NamespacePrefixes);
        }

        var namespaces = new List<GraphNamespace>(names.Count);
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var dot = name.LastIndexOf('.');
            var parent = dot < 0 ? -1 : byName[name[..dot]];
            byName[name] = namespaces.Count;
            if (parent >= 0)
            {
                namespaces[parent].Children.Add(namespaces.Count);
            }

            namespaces.Add(new GraphNamespace
            {
                FullName = name,
                Id = UniqueId("ns_", name, ids),
                Name = dot < 0 ? name : name[(dot + 1)..],
                Parent = parent,
                Depth = parent < 0 ? 0 : namespaces[parent].Depth + 1,
            });
        }

        foreach (var node in pipeline.Nodes)
        {
            if (node.Namespace is { } ns)
            {
                vertices[nodeIndex[node]].Namespace = byName[ns];
            }
        }

        // A dataset belongs to the deepest namespace that prefixes its name (params: aside) and holds every node that
        // reads or writes it: a modular pipeline's own intermediates and parameters sit inside its cluster, while the
        // datasets it shares with the rest of the pipeline stay outside, as Kedro-Viz draws them.
        foreach (var (name, info) in datasets)
        {
            var bare = DatasetNames.IsSingleParameter(name) ? name[DatasetNames.ParameterPrefix.Length..] : name;
            for (var dot = bare.LastIndexOf('.'); dot > 0; dot = bare.LastIndexOf('.', dot - 1))
            {
                var candidate = bare[..dot];
                if (byName.TryGetValue(candidate, out var index)
                    && info.Writers.Concat(info.Readers).All(n => n.Namespace is { } ns && (ns == candidate || ns.StartsWith(candidate + ".", StringComparison.Ordinal))))
                {
                    vertices[datasetIndex[name]].Namespace = index;
                    break;
                }
            }
        }

        for (var v = 0; v < vertices.Count; v++)
        {
            if (vertices[v].Namespace >= 0)
            {
                namespaces[vertices[v].Namespace].Vertices.Add(v);
            }
        }

        // A namespace's inputs and outputs: datasets outside it that its nodes (at any depth) read or write.
        foreach (var node in pipeline.Nodes)
        {
            if (node.Namespace is null)
            {
                continue;
            }

            for (var ns = byName[node.Namespace]; ns >= 0; ns = namespaces[ns].Parent)
            {
                foreach (var input in node.Inputs)
                {
                    var d = datasetIndex[DatasetNames.StripTranscoding(input)];
                    if (!Contains(namespaces, ns, vertices[d].Namespace))
                    {
                        namespaces[ns].Inputs.Add(d);
                    }
                }

                foreach (var output in node.Outputs)
                {
                    var d = datasetIndex[DatasetNames.StripTranscoding(output)];
                    if (!Contains(namespaces, ns, vertices[d].Namespace))
                    {
                        namespaces[ns].Outputs.Add(d);
                    }
                }
            }
        }

        return namespaces;
    }

    /// <summary>Whether namespace <paramref name="inner"/> (-1: none) is <paramref name="outer"/> or nested in it.</summary>
    internal static bool Contains(IReadOnlyList<GraphNamespace> namespaces, int outer, int inner)
    {
        for (var ns = inner; ns >= 0; ns = namespaces[ns].Parent)
        {
            if (ns == outer)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <paramref name="prefix"/> + the name with every character other than an ASCII letter, digit or <c>_</c> made
    /// <c>_</c>; a suffix <c>_2</c>, <c>_3</c>, … when that is taken.
    /// </summary>
    internal static string UniqueId(string prefix, string name, HashSet<string> taken)
    {
        var chars = new char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            chars[i] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
        }

        var id = prefix + new string(chars);
        if (taken.Add(id))
        {
            return id;
        }

        for (var n = 2; ; n++)
        {
            var candidate = $"{id}_{n}";
            if (taken.Add(candidate))
            {
                return candidate;
            }
        }
    }

    private sealed class DatasetInfo
    {
        public List<Node> Writers { get; } = [];

        public List<Node> Readers { get; } = [];

        public HashSet<string> Formats { get; } = new(StringComparer.Ordinal);
    }
}
