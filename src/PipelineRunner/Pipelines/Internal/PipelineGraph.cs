namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// A pipeline compiled for running: nodes in topological order addressed by index, their dependencies as index arrays,
/// and every dataset name as an integer id grouped into slots (one slot per underlying, untranscoded dataset). Built
/// once per <see cref="Pipeline"/> and shared by all its runs, so a run only resolves datasets and copies counters.
/// </summary>
internal sealed class PipelineGraph
{
    private PipelineGraph(
        Node[] nodes,
        Dictionary<Node, int> index,
        int[] parentCounts,
        int[] childStarts,
        int[] children,
        string[] names,
        int[] nameSlots,
        int[][] inputNames,
        int[][] outputNames,
        int[][] slotNames,
        int[] initialLoadCounts,
        bool[] isPipelineInput,
        bool[] isPipelineOutput)
    {
        Nodes = nodes;
        Index = index;
        ParentCounts = parentCounts;
        ChildStarts = childStarts;
        Children = children;
        Names = names;
        NameSlots = nameSlots;
        InputNames = inputNames;
        OutputNames = outputNames;
        SlotNames = slotNames;
        InitialLoadCounts = initialLoadCounts;
        IsPipelineInput = isPipelineInput;
        IsPipelineOutput = isPipelineOutput;
    }

    /// <summary>The nodes in topological order; a node's index is its position here.</summary>
    public Node[] Nodes { get; }

    /// <summary>Node → index, by reference.</summary>
    public Dictionary<Node, int> Index { get; }

    /// <summary>How many distinct nodes each node depends on.</summary>
    public int[] ParentCounts { get; }

    /// <summary>The children of node i are <c>Children[ChildStarts[i]..ChildStarts[i + 1]]</c>.</summary>
    public int[] ChildStarts { get; }

    /// <summary>Child indices, grouped by parent (see <see cref="ChildStarts"/>).</summary>
    public int[] Children { get; }

    /// <summary>Every dataset name the pipeline uses; a name's id is its position here.</summary>
    public string[] Names { get; }

    /// <summary>Name id → slot (the underlying dataset, transcoding stripped).</summary>
    public int[] NameSlots { get; }

    /// <summary>Per node, the name ids of its inputs, aligned with <see cref="Node.Inputs"/>.</summary>
    public int[][] InputNames { get; }

    /// <summary>Per node, the name ids of its outputs, aligned with <see cref="Node.Outputs"/>.</summary>
    public int[][] OutputNames { get; }

    /// <summary>Slot → the name ids of its transcoded variants.</summary>
    public int[][] SlotNames { get; }

    /// <summary>
    /// Name id → how many times nodes load that name. As in Kedro's runner, each transcoded name (<c>x@a</c>,
    /// <c>x@b</c>) is counted apart.
    /// </summary>
    public int[] InitialLoadCounts { get; }

    /// <summary>Slot → whether it is a free input of the pipeline (never released).</summary>
    public bool[] IsPipelineInput { get; }

    /// <summary>Slot → whether it is a free output of the pipeline (never released).</summary>
    public bool[] IsPipelineOutput { get; }

    public static PipelineGraph Build(Pipeline pipeline)
    {
        var nodes = pipeline.Nodes.ToArray();
        var count = nodes.Length;
        var index = new Dictionary<Node, int>(count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < count; i++)
        {
            index[nodes[i]] = i;
        }

        var parentCounts = new int[count];
        var childStarts = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            var parents = pipeline.DependenciesOf(nodes[i]);
            parentCounts[i] = parents.Count;
            foreach (var parent in parents)
            {
                childStarts[index[parent] + 1]++;
            }
        }

        for (var i = 0; i < count; i++)
        {
            childStarts[i + 1] += childStarts[i];
        }

        var children = new int[childStarts[count]];
        var fill = (int[])childStarts.Clone();
        for (var i = 0; i < count; i++)
        {
            foreach (var parent in pipeline.DependenciesOf(nodes[i]))
            {
                children[fill[index[parent]]++] = i;
            }
        }

        var nameIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var slotIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var nameSlots = new List<int>();
        var slotNames = new List<List<int>>();
        int NameId(string name)
        {
            if (nameIds.TryGetValue(name, out var id))
            {
                return id;
            }

            var key = DatasetNames.StripTranscoding(name);
            if (!slotIds.TryGetValue(key, out var slot))
            {
                slotIds[key] = slot = slotNames.Count;
                slotNames.Add([]);
            }

            nameIds[name] = id = names.Count;
            names.Add(name);
            nameSlots.Add(slot);
            slotNames[slot].Add(id);
            return id;
        }

        var inputNames = new int[count][];
        var outputNames = new int[count][];
        for (var i = 0; i < count; i++)
        {
            var node = nodes[i];
            inputNames[i] = node.Inputs.Count == 0 ? [] : new int[node.Inputs.Count];
            for (var k = 0; k < node.Inputs.Count; k++)
            {
                inputNames[i][k] = NameId(node.Inputs[k]);
            }

            outputNames[i] = node.Outputs.Count == 0 ? [] : new int[node.Outputs.Count];
            for (var k = 0; k < node.Outputs.Count; k++)
            {
                outputNames[i][k] = NameId(node.Outputs[k]);
            }
        }

        var slotCount = slotNames.Count;
        var loadCounts = new int[names.Count];
        foreach (var inputs in inputNames)
        {
            foreach (var id in inputs)
            {
                loadCounts[id]++;
            }
        }

        var isInput = new bool[slotCount];
        var isOutput = new bool[slotCount];
        foreach (var name in pipeline.Inputs())
        {
            isInput[nameSlots[nameIds[name]]] = true;
        }

        foreach (var name in pipeline.Outputs())
        {
            isOutput[nameSlots[nameIds[name]]] = true;
        }

        return new PipelineGraph(
            nodes, index, parentCounts, childStarts, children, [.. names], [.. nameSlots], inputNames, outputNames,
            slotNames.Select(s => s.ToArray()).ToArray(), loadCounts, isInput, isOutput);
    }
}
