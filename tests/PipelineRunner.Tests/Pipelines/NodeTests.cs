using PipelineRunner.Pipelines;

namespace PipelineRunner.Tests.Pipelines;

public class NodeTests
{
    private static int Identity(int x) => x;

    private static int Add(int a, int b) => a + b;

    private sealed record Split(int Left, int Right);

    [Fact]
    public void DefaultName_IsFunctionNameWithStableHash()
    {
        var a = Node.Create(Identity, "in", "out");
        var b = Node.Create(Identity, "in", "out");
        var c = Node.Create(Identity, "in", "other");
        Assert.StartsWith("Identity__", a.Name);
        Assert.Equal(8, a.Name["Identity__".Length..].Length);
        Assert.Equal(a.Name, b.Name);
        Assert.NotEqual(a.Name, c.Name);
    }

    [Fact]
    public void Lambda_GetsLambdaFunctionName()
    {
        var node = Node.Create((int x) => x, "in", "out");
        Assert.Equal("lambda", node.FunctionName);
        Assert.StartsWith("lambda__", node.Name);
    }

    [Fact]
    public void Namespace_PrefixesName()
    {
        var node = Node.Create(Identity, "in", "out", name: "copy", @namespace: "data.raw");
        Assert.Equal("data.raw.copy", node.Name);
        Assert.Equal("data.raw", node.Namespace);
        Assert.Equal("copy: Identity([in]) -> [out]", node.ToString());
    }

    [Fact]
    public void ToString_IsKedrosStr_WithNoneForNoDatasets_AndDictionariesAsTheirDatasets()
    {
        Assert.Equal("make: lambda(None) -> [one]", Node.Create(() => 1, null, "one", name: "make").ToString());
        Assert.Equal("lambda([a]) -> None", Node.Create((int a) => { }, "a", null).ToString());
        Assert.Equal("Add([x;y]) -> [sum]", Node.Create(Add, new[] { "x", "y" }, "sum").ToString());
        Assert.Equal(
            "split: lambda([a]) -> [r;l]",
            Node.Create((int a) => new Split(a, -a), new Dictionary<string, string> { ["a"] = "a" }, new Dictionary<string, string> { ["Right"] = "r", ["Left"] = "l" }, name: "split").ToString());
    }

    [Fact]
    public void CopyWithMethods_ReturnNewNodes()
    {
        var node = Node.Create(Identity, "in", "out", name: "n", tags: ["b"]);
        var tagged = node.WithTags("a", "b");
        Assert.Equal(["b"], node.Tags);
        Assert.Equal(["a", "b"], tagged.Tags);
        Assert.Equal("m", node.WithName("m").Name);
        Assert.Equal("ns.n", node.WithNamespace("ns").Name);
        Assert.Equal("n", node.Name);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("semi;colon")]
    [InlineData("")]
    public void InvalidName_Throws(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(Identity, "in", "out", name: name));
        Assert.Contains($"'{name}' is not a valid node name", ex.Message);
    }

    [Fact]
    public void InvalidTag_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(Identity, "in", "out", tags: ["has space"]));
        Assert.Contains("'has space' is not a valid node tag", ex.Message);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData(" x", "must not start or end with whitespace")]
    [InlineData("a@b@c", "maximum 1 transcoding separator")]
    [InlineData("a@", "text on both sides")]
    [InlineData("params:", "must be followed by a parameter name")]
    public void MalformedDatasetName_Throws(string dataset, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(Identity, dataset, "out", name: "n"));
        Assert.Contains(message, ex.Message);
        Assert.Contains("node 'n'", ex.Message);
    }

    [Fact]
    public void NoInputsOrOutputs_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(() => { }, null, null));
        Assert.Contains("it must have some 'inputs' or 'outputs'", ex.Message);
    }

    [Fact]
    public void SameInputAndOutput_EvenTranscoded_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(Identity, "a@csv", "a@parquet", name: "n"));
        Assert.Contains("A node cannot have the same inputs and outputs even if they are transcoded: [a]", ex.Message);
    }

    [Fact]
    public void DuplicateOutputs_Throw()
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(() => (1, 2), null, new[] { "x", "x" }, name: "n"));
        Assert.Contains("duplicate output(s) [x]", ex.Message);
    }

    [Fact]
    public void TooManyInputs_ThrowsNamingParameters()
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(Identity, new[] { "a", "b" }, "out"));
        Assert.Contains("Inputs of 'Identity' function expected [x], but got [a;b]", ex.Message);
    }

    [Fact]
    public void MissingRequiredParameter_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(Add, "a", "out"));
        Assert.Contains("parameter 'b' has no input and no default value", ex.Message);
    }

    [Fact]
    public void MappingToUnknownParameters_Throws_NamingTheNodeTheUnknownParametersAndTheFunctionsParameters()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Node.Create(Add, new Dictionary<string, string> { ["c"] = "y", ["a"] = "x", ["d"] = "z" }, "out", name: "adder"));
        Assert.Equal(
            "Inputs of 'Add' function expected [a, b], but got {c: y, a: x, d: z}: node 'adder' maps parameter(s) [c, d] that the function does not take.",
            ex.Message);

        var unnamed = Assert.Throws<ArgumentException>(() =>
            Node.Create((int a, CancellationToken ct) => a, new Dictionary<string, string> { ["ct"] = "x" }, "out"));
        Assert.Equal(
            "Inputs of 'lambda' function expected [a], but got {ct: x}: node of function 'lambda' maps parameter(s) [ct] that the function does not take.",
            unnamed.Message);
    }

    private static int Subtract(int minuend, int subtrahend, int scale = 1) => (minuend - subtrahend) * scale;

    [Fact]
    public async Task MappingInputs_AreListedAndBoundInTheFunctionsParameterOrder_WhateverTheMapsOrder()
    {
        var reversed = Node.Create(
            Subtract,
            new Dictionary<string, string> { ["scale"] = "s", ["subtrahend"] = "b", ["minuend"] = "a" },
            "out",
            name: "sub");
        var inOrder = Node.Create(
            Subtract,
            new Dictionary<string, string> { ["minuend"] = "a", ["subtrahend"] = "b", ["scale"] = "s" },
            "out",
            name: "sub");

        Assert.Equal(["a", "b", "s"], reversed.Inputs);
        Assert.Equal(["minuend", "subtrahend", "scale"], reversed.InputBinding.ParameterNames);
        Assert.Equal("sub: Subtract([a;b;s]) -> [out]", reversed.ToString());
        var inputs = new Dictionary<string, object?> { ["a"] = 10, ["b"] = 3, ["s"] = 2 };
        Assert.Equal(14, (await reversed.RunAsync(inputs))["out"]);
        Assert.Equal(14, (await inOrder.RunAsync(inputs))["out"]);

        var typed = Node.Create((int count, string label) => $"{label}{count}", new Dictionary<string, string> { ["label"] = "l", ["count"] = "c" }, "text");
        Assert.Equal(["c", "l"], typed.Inputs);
        Assert.Equal([typeof(int), typeof(string)], typed.InputTypes);
        Assert.Equal("x3", (await typed.RunAsync(new Dictionary<string, object?> { ["c"] = 3, ["l"] = "x" }))["text"]);

        // Unnamed, the default name (which hashes the inputs) does not depend on the map's order either.
        var unnamedReversed = Node.Create(Subtract, new Dictionary<string, string> { ["subtrahend"] = "b", ["minuend"] = "a" }, "out");
        var unnamedInOrder = Node.Create(Subtract, new Dictionary<string, string> { ["minuend"] = "a", ["subtrahend"] = "b" }, "out");
        Assert.Equal(unnamedInOrder.Name, unnamedReversed.Name);
        Assert.Equal(unnamedInOrder, unnamedReversed);
    }

    [Fact]
    public void OutputsForVoidFunction_Throw()
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create((int x) => { }, "in", "out"));
        Assert.Contains("returns nothing, but the node declares outputs [out]", ex.Message);
    }

    [Fact]
    public void TupleOfWrongArity_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Node.Create(() => (1, "a", 2.0), null, new[] { "x", "y" }));
        Assert.Contains("returns a tuple of 3 element(s)", ex.Message);
    }

    [Fact]
    public void UnknownOutputMember_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Node.Create(() => new Split(1, 2), null, new Dictionary<string, string> { ["Middle"] = "m" }));
        Assert.Contains("Output key 'Middle'", ex.Message);
        Assert.Contains("Left, Right", ex.Message);
    }

    [Fact]
    public async Task RunAsync_ListInputsBindByPosition()
    {
        var node = Node.Create((int a, int b) => a - b, new[] { "x", "y" }, "z");
        var result = await node.RunAsync(new Dictionary<string, object?> { ["x"] = 10, ["y"] = 3 });
        Assert.Equal(7, result["z"]);
    }

    [Fact]
    public async Task RunAsync_MappingInputsBindByName()
    {
        var node = Node.Create((int a, int b) => a - b, new Dictionary<string, string> { ["b"] = "x", ["a"] = "y" }, "z");
        var result = await node.RunAsync(new Dictionary<string, object?> { ["x"] = 10, ["y"] = 3 });
        Assert.Equal(-7, result["z"]);
        Assert.Equal(["y", "x"], node.Inputs);
    }

    [Fact]
    public async Task RunAsync_TupleFillsListOfOutputs()
    {
        var node = Node.Create((int a) => (a + 1, a.ToString(System.Globalization.CultureInfo.InvariantCulture)), "a", new[] { "n", "s" });
        var result = await node.RunAsync(new Dictionary<string, object?> { ["a"] = 41 });
        Assert.Equal(42, result["n"]);
        Assert.Equal("41", result["s"]);
        Assert.Equal([typeof(int), typeof(string)], node.OutputTypes);
    }

    [Fact]
    public async Task RunAsync_MappingOutputsFromRecordMembers()
    {
        var node = Node.Create((int a) => new Split(a, -a), "a", new Dictionary<string, string> { ["Right"] = "r", ["Left"] = "l" });
        var result = await node.RunAsync(new Dictionary<string, object?> { ["a"] = 5 });
        Assert.Equal(5, result["l"]);
        Assert.Equal(-5, result["r"]);
    }

    [Fact]
    public async Task RunAsync_MappingOutputsFromDictionaryKeys()
    {
        var node = Node.Create(
            (int a) => new Dictionary<string, int> { ["double"] = a * 2, ["triple"] = a * 3 },
            "a",
            new Dictionary<string, string> { ["double"] = "d", ["triple"] = "t" });
        var result = await node.RunAsync(new Dictionary<string, object?> { ["a"] = 2 });
        Assert.Equal(4, result["d"]);
        Assert.Equal(6, result["t"]);
        Assert.Equal(typeof(int), node.OutputTypes[0]);
    }

    [Fact]
    public async Task RunAsync_DictionaryWithWrongKeys_ThrowsNamingKeys()
    {
        var node = Node.Create(
            (int a) => new Dictionary<string, int> { ["double"] = a * 2 },
            "a",
            new Dictionary<string, string> { ["double"] = "d", ["triple"] = "t" },
            name: "n");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => node.RunAsync(new Dictionary<string, object?> { ["a"] = 2 }));
        Assert.Contains("output keys [double, triple] do not match with the returned output's keys [double]", ex.Message);
    }

    [Fact]
    public async Task RunAsync_AsyncFunctionsAreAwaited()
    {
        var task = Node.Create(async (int a) => { await Task.Yield(); return a * 2; }, "a", "b");
        var valueTask = Node.Create((int a) => new ValueTask<int>(a * 3), "a", "c");
        Assert.Equal(typeof(int), task.OutputTypes[0]);
        Assert.Equal(8, (await task.RunAsync(new Dictionary<string, object?> { ["a"] = 4 }))["b"]);
        Assert.Equal(12, (await valueTask.RunAsync(new Dictionary<string, object?> { ["a"] = 4 }))["c"]);
    }

    [Fact]
    public async Task RunAsync_CancellationTokenParameterIsNotAnInput()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        var node = Node.Create((int a, CancellationToken ct) => { seen = ct; return a; }, "a", "b");
        Assert.Equal(["a"], node.Inputs);
        await node.RunAsync(new Dictionary<string, object?> { ["a"] = 1 }, cts.Token);
        Assert.Equal(cts.Token, seen);
    }

    [Fact]
    public async Task RunAsync_ListOutputsFromReturnedArray()
    {
        var node = Node.Create((int a) => new[] { a, a + 1 }, "a", new[] { "x", "y" });
        var result = await node.RunAsync(new Dictionary<string, object?> { ["a"] = 1 });
        Assert.Equal(2, result["y"]);
    }

    [Fact]
    public async Task RunAsync_WrongListLength_Throws()
    {
        var node = Node.Create((int a) => new[] { a }, "a", new[] { "x", "y" }, name: "n");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => node.RunAsync(new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Contains("returned 1 output(s), whereas the node definition contains 2 output(s)", ex.Message);
    }

    [Fact]
    public async Task RunAsync_ConvertsConfigurationValues()
    {
        var node = Node.Create((double alpha, int n) => alpha * n, new[] { "params:alpha", "params:n" }, "out");
        var result = await node.RunAsync(new Dictionary<string, object?> { ["params:alpha"] = 0.5, ["params:n"] = 4L });
        Assert.Equal(2.0, result["out"]);
    }

    [Fact]
    public async Task RunAsync_UnconvertibleInput_ThrowsNamingNodeDatasetAndTypes()
    {
        var node = Node.Create(Identity, "in", "out", name: "n");
        var ex = await Assert.ThrowsAsync<InvalidCastException>(() => node.RunAsync(new Dictionary<string, object?> { ["in"] = new object() }));
        Assert.Contains("Node 'n' cannot take dataset 'in' as its input of type Int32", ex.Message);
    }

    [Fact]
    public void Equality_ByNameInputsOutputs()
    {
        var a = Node.Create(Identity, "in", "out", name: "n");
        var b = Node.Create((int x) => x + 1, "in", "out", name: "n");
        var c = Node.Create(Identity, "in", "out2", name: "n");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, a.WithNamespace("ns"));
        Assert.Equal(a, a.WithTags("t"));
    }

    private sealed record Halves(int Low, int High);

    [Fact]
    public void Equality_DictionaryInputsAndOutputsAreEqualInAnyOrder()
    {
        static Halves Halve(int whole, int offset) => new(offset, whole - offset);
        var a = Node.Create(
            Halve,
            new Dictionary<string, string> { ["whole"] = "w", ["offset"] = "o" },
            new Dictionary<string, string> { ["Low"] = "lo", ["High"] = "hi" },
            name: "halve");
        var b = Node.Create(
            Halve,
            new Dictionary<string, string> { ["offset"] = "o", ["whole"] = "w" },
            new Dictionary<string, string> { ["High"] = "hi", ["Low"] = "lo" },
            name: "halve");
        var otherBinding = Node.Create(
            Halve,
            new Dictionary<string, string> { ["whole"] = "o", ["offset"] = "w" },
            new Dictionary<string, string> { ["Low"] = "lo", ["High"] = "hi" },
            name: "halve");

        Assert.Equal(a, b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(0, a.CompareTo(b));
        Assert.NotEqual(a, otherBinding);
        Assert.NotEqual(0, a.CompareTo(otherBinding));
        Assert.Single(new HashSet<Node> { a, b });
    }

    [Fact]
    public void Equality_TheStringListAndDictionaryFormsAreDifferentNodes()
    {
        var single = Node.Create(Identity, "in", "out", name: "n");
        var list = Node.Create(Identity, new[] { "in" }, "out", name: "n");
        var mapping = Node.Create(Identity, new Dictionary<string, string> { ["x"] = "in" }, "out", name: "n");
        var listOutput = Node.Create((int x) => new[] { x }, "in", new[] { "out" }, name: "n");

        Assert.Equal(single.Inputs, list.Inputs);
        Assert.Equal(single.Inputs, mapping.Inputs);
        Assert.NotEqual(single, list);
        Assert.NotEqual(single, mapping);
        Assert.NotEqual(list, mapping);
        Assert.NotEqual(single, listOutput);
        Assert.Equal(4, new HashSet<Node> { single, list, mapping, listOutput }.Count);
    }

    [Fact]
    public void Order_IsByNameThenInputsThenOutputs_AndNullFirst()
    {
        var b = Node.Create(Identity, "in", "out", name: "b");
        var a2 = Node.Create(Identity, "in2", "out", name: "a");
        var a1 = Node.Create(Identity, "in1", "out", name: "a");
        var a1List = Node.Create(Identity, new[] { "in1" }, "out", name: "a");
        var a1Out2 = Node.Create(Identity, "in1", "out2", name: "a");

        Node?[] nodes = [b, a2, null, a1Out2, a1List, a1];
        Array.Sort(nodes);

        Assert.Null(nodes[0]);
        Assert.Equal([a1, a1Out2, a2, a1List, b], nodes[1..].Select(n => n!));
        Assert.True(a1.CompareTo(a2) < 0 && a2.CompareTo(a1) > 0);
        Assert.True(a1.CompareTo(null) > 0);
    }

    private static int SumAll(int offset, params int[] values) => offset + values.Sum();

    [Fact]
    public async Task ParamsParameter_CollectsTheRemainingInputs()
    {
        var node = Node.Create(SumAll, new[] { "offset", "a", "b", "c" }, "total", name: "sum_all");
        Assert.Equal([typeof(int), typeof(int), typeof(int), typeof(int)], node.InputTypes);
        var result = await node.RunAsync(new Dictionary<string, object?> { ["offset"] = 100, ["a"] = 1, ["b"] = 2, ["c"] = 3 });
        Assert.Equal(106, result["total"]);
        var lambda = Node.Create((params long[] xs) => xs.Length, new[] { "x", "y" }, "n", name: "count");
        Assert.Equal(2, (await lambda.RunAsync(new Dictionary<string, object?> { ["x"] = 1L, ["y"] = 2L }))["n"]);
    }

    [Fact]
    public void ShortName_IsTheGivenNameWithoutItsNamespace_OrTheFunctionNameInTitleCase()
    {
        var named = Node.Create((int x) => x, "a", "b", name: "split").WithNamespace("data.science");
        var unnamed = Node.Create(split_data_rows, "a", "b");

        Assert.Equal("data.science.split", named.Name);
        Assert.Equal("split", named.ShortName);
        Assert.Equal("Split Data Rows", unnamed.ShortName);
    }

    [Fact]
    public void NamespacePrefixes_AreEveryLevelOfTheNamespace_OutermostFirst()
    {
        Assert.Equal(["a", "a.b", "a.b.c"], Node.Create((int x) => x, "i", "o", name: "n").WithNamespace("a.b.c").NamespacePrefixes);
        Assert.Empty(Node.Create((int x) => x, "i", "o", name: "n").NamespacePrefixes);
    }

#pragma warning disable IDE1006, CA1707 // a snake_case function name, as Kedro users write them
    private static int split_data_rows(int a) => a;
#pragma warning restore IDE1006, CA1707
}
