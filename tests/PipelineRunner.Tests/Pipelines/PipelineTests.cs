using PipelineRunner.Pipelines;

namespace PipelineRunner.Tests.Pipelines;

public class PipelineTests
{
    internal static Node N(string name, NodeInputs inputs, NodeOutputs outputs, params string[] tags)
    {
        var inCount = inputs.Datasets.Count;
        var outCount = outputs.Datasets.Count;
        Delegate fn = (inCount, outCount) switch
        {
            (0, 1) => () => 1,
            (1, 1) => (int a) => a + 1,
            (2, 1) => (int a, int b) => a + b,
            (3, 1) => (int a, int b, int c) => a + b + c,
            (1, 2) => (int a) => (a, a),
            (1, 0) => (int a) => { },
            (2, 2) => (int a, int b) => (a, b),
            (0, 2) => () => (1, 2),
            _ => throw new NotSupportedException($"{inCount}->{outCount}"),
        };
        return Node.Create(fn, inputs, outputs, name: name, tags: tags);
    }

    // a -> [n1] -> b -> [n2] -> c ; b,d -> [n3] -> e
    internal static Pipeline Sample() => new([
        N("n3", new[] { "b", "d" }, "e"),
        N("n1", "a", "b"),
        N("n2", "b", "c"),
    ]);

    [Fact]
    public void Nodes_AreTopologicalLayersSortedByName()
    {
        var p = new Pipeline([N("z", "a", "b"), N("y", "a", "c"), N("x", new[] { "b", "c" }, "d")]);
        Assert.Equal(["y", "z", "x"], p.Nodes.Select(n => n.Name));
        Assert.Equal([["y", "z"], ["x"]], p.Grouped.Select(g => g.Select(n => n.Name).ToArray()));
    }

    [Fact]
    public void InputsOutputsAndDatasets()
    {
        var p = Sample();
        Assert.Equal(new[] { "a", "d" }, p.Inputs().Order());
        Assert.Equal(new[] { "c", "e" }, p.Outputs().Order());
        Assert.Equal(new[] { "a", "b", "d" }, p.AllInputs().Order());
        Assert.Equal(new[] { "b", "c", "e" }, p.AllOutputs().Order());
        Assert.Equal(new[] { "a", "b", "c", "d", "e" }, p.Datasets().Order());
    }

    [Fact]
    public void NodeDependencies_MapNodesToParents()
    {
        var p = Sample();
        var deps = p.NodeDependencies.ToDictionary(kv => kv.Key.Name, kv => kv.Value.Select(n => n.Name).Order().ToArray());
        Assert.Empty(deps["n1"]);
        Assert.Equal(["n1"], deps["n2"]);
        Assert.Equal(["n1"], deps["n3"]);
    }

    [Fact]
    public void Operators_HaveKedroMeanings()
    {
        var p = Sample();
        var first = new Pipeline([p.FindNode("n1")!]);
        var rest = new Pipeline([p.FindNode("n2")!, p.FindNode("n3")!]);
        Assert.Equal(3, (first + rest).Nodes.Count);
        Assert.Equal(3, (first | rest | first).Nodes.Count);
        Assert.Equal(["n2", "n3"], (p - first).Nodes.Select(n => n.Name));
        Assert.Equal(["n1"], (p & first).Nodes.Select(n => n.Name));
        Assert.Empty((first & rest).Nodes);
    }

    [Fact]
    public void Union_OfNodesWithSameNameButDifferentDatasets_Throws()
    {
        var ex = Assert.Throws<PipelineException>(() => new Pipeline([N("n", "a", "b")]) + new Pipeline([N("n", "a", "c")]));
        Assert.Contains("The following node names appear more than once", ex.Message);
        Assert.Contains("  - n", ex.Message);
    }

    [Fact]
    public void Union_KeepsOnceNodesWhoseDictionaryInputsDifferOnlyInOrder_AndTheOperatorsMatchThem()
    {
        var forwards = new Pipeline([Node.Create((int a, int b) => a - b, new Dictionary<string, string> { ["a"] = "x", ["b"] = "y" }, "z", name: "sub")]);
        var backwards = new Pipeline([Node.Create((int a, int b) => a - b, new Dictionary<string, string> { ["b"] = "y", ["a"] = "x" }, "z", name: "sub")]);

        Assert.Single((forwards + backwards).Nodes);
        Assert.Empty((forwards - backwards).Nodes);
        Assert.Single((forwards & backwards).Nodes);
    }

    [Fact]
    public void Union_OfTheStringAndListFormsOfANode_Throws_AsTheyAreDifferentNodesWithOneName()
    {
        var single = new Pipeline([N("n", "a", "b")]);
        var list = new Pipeline([N("n", new[] { "a" }, "b")]);

        var ex = Assert.Throws<PipelineException>(() => single + list);
        Assert.Contains("The following node names appear more than once:\n\n  - n", ex.Message);
        Assert.Single((single - list).Nodes);
        Assert.Empty((single & list).Nodes);
    }

    [Fact]
    public void DuplicateNames_Throw()
    {
        var ex = Assert.Throws<PipelineException>(() => new Pipeline([N("n", "a", "b"), N("n", "c", "d")]));
        Assert.Contains("Pipeline nodes must have unique names", ex.Message);
    }

    [Fact]
    public void SameOutputFromTwoNodes_ThrowsOutputNotUnique()
    {
        var ex = Assert.Throws<OutputNotUniqueException>(() => new Pipeline([N("n1", "a", "x@csv"), N("n2", "b", "x@parquet")]));
        Assert.Contains("Output(s) [x] are returned by more than one nodes", ex.Message);
        Assert.Contains("n1, n2", ex.Message);
    }

    [Fact]
    public void Cycle_ThrowsNamingTheNodesInIt()
    {
        var ex = Assert.Throws<CircularDependencyException>(() => new Pipeline([
            N("start", "x", "a"), N("p", new[] { "a", "c" }, "b"), N("q", "b", "c"), N("r", "c", "d")]));
        Assert.Equal(new[] { "p", "q" }, ex.Cycle.Order());
        Assert.Contains("Circular dependencies exist among the following 2 item(s)", ex.Message);
    }

    [Fact]
    public void TranscodedAndPlainReferences_Throw()
    {
        var ex = Assert.Throws<PipelineException>(() => new Pipeline([N("n1", "a", "b@csv"), N("n2", "b", "c")]));
        Assert.Contains("used with transcoding, but were referenced without the separator: b", ex.Message);
    }

    [Fact]
    public void Transcoding_SharesOneUnderlyingDataset()
    {
        var p = new Pipeline([N("n1", "a", "b@spark"), N("n2", "b@pandas", "c")]);
        Assert.Equal(["n1", "n2"], p.Nodes.Select(n => n.Name));
        Assert.Equal(["a"], p.Inputs());
        Assert.Equal(["c"], p.Outputs());
    }

    [Fact]
    public void ConfirmedTwice_ThrowsConfirmNotUnique()
    {
        var a = Node.Create((int x) => x, "a", "b", name: "n1", confirms: ["c"]);
        var b = Node.Create((int x) => x, "b", "d", name: "n2", confirms: ["c"]);
        var ex = Assert.Throws<ConfirmNotUniqueException>(() => new Pipeline([a, b]));
        Assert.Contains("[c] datasets are confirmed by more than one node", ex.Message);
    }

    [Fact]
    public void Constructor_TagsEveryNode()
    {
        var p = new Pipeline([N("n1", "a", "b")], tags: ["t"]);
        Assert.Equal(["t"], p.Nodes[0].Tags);
    }

    [Fact]
    public void Describe_ListsInputsNodesOutputs()
    {
        var text = Sample().Describe();
        Assert.Contains("Inputs: a, d", text);
        Assert.Contains("n1\nn2\nn3", text);
        Assert.Contains("Outputs: c, e", text);
    }

    private static int Square(int x) => x * x;

    [Fact]
    public void Describe_Full_ShowsEachNodeAsKedrosStr_InRunOrder()
    {
        var p = new Pipeline([
            Node.Create((int a, int b) => a + b, new Dictionary<string, string> { ["b"] = "y", ["a"] = "x" }, "sum", name: "add"),
            Node.Create(Square, "sum", "squared"),
            Node.Create((int s) => (s, -s), "squared", new[] { "pos", "neg" }, name: "split").WithNamespace("ns"),
        ]);

        Assert.Equal(
            "#### Pipeline execution order ####\n" +
            "Inputs: x, y\n" +
            "\n" +
            "add: lambda([x;y]) -> [sum]\n" +
            "Square([sum]) -> [squared]\n" +
            "split: lambda([squared]) -> [pos;neg]\n" +
            "\n" +
            "Outputs: neg, pos\n" +
            "##################################",
            p.Describe(NodeDescriptionStyle.Full));
        Assert.Contains("\nadd\nSquare__", p.Describe(), StringComparison.Ordinal);
        Assert.Contains("\nns.split\n", p.Describe(NodeDescriptionStyle.Name), StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Describe((NodeDescriptionStyle)7));
    }

    [Fact]
    public void LargeChain_SortsInOrder()
    {
        var nodes = Enumerable.Range(0, 20_000).Select(i => Node.Create((int x) => x, $"d{i}", $"d{i + 1}", name: $"n{i:D6}")).Reverse();
        var p = new Pipeline(nodes);
        Assert.Equal(20_000, p.Grouped.Count);
        Assert.Equal("n000000", p.Nodes[0].Name);
        Assert.Equal("n019999", p.Nodes[^1].Name);
    }
}
