using PipelineRunner.Pipelines;

namespace PipelineRunner.Tests.Pipelines;

public class TypeValidationTests
{
    [Fact]
    public void IncompatibleTypes_FailBeforeRunning()
    {
        var producer = Node.Create((int x) => x.ToString(System.Globalization.CultureInfo.InvariantCulture), "a", "b", name: "to_text");
        var consumer = Node.Create((int x) => x * 2, "b", "c", name: "double_it");
        var ex = Assert.Throws<DatasetTypeMismatchException>(() => new Pipeline([producer, consumer]));
        Assert.Equal("b", ex.Dataset);
        Assert.Equal("to_text", ex.Producer);
        Assert.Equal("double_it", ex.Consumer);
        Assert.Equal(typeof(string), ex.ProducedType);
        Assert.Equal(typeof(int), ex.ConsumedType);
        Assert.Equal("Dataset 'b' is produced by node 'to_text' as String, but node 'double_it' takes it as Int32, which cannot accept it.", ex.Message);
    }

    [Fact]
    public void DictionaryInputsInAnotherOrderThanTheParameters_AreCheckedAgainstTheRightParameter()
    {
        var producer = Node.Create(() => (1, "s"), null, new[] { "n", "s" }, name: "p");
        var fits = Node.Create((int count, string label) => label, new Dictionary<string, string> { ["label"] = "s", ["count"] = "n" }, "ok", name: "q");
        var swapped = Node.Create((int count, string label) => label, new Dictionary<string, string> { ["label"] = "n", ["count"] = "s" }, "bad", name: "r");

        Assert.Equal(2, new Pipeline([producer, fits]).Nodes.Count);
        var ex = Assert.Throws<DatasetTypeMismatchException>(() => new Pipeline([producer, swapped]));
        Assert.Equal("Dataset 's' is produced by node 'p' as String, but node 'r' takes it as Int32, which cannot accept it.", ex.Message);
    }

    [Fact]
    public void TupleMemberTypes_AreChecked()
    {
        var producer = Node.Create(() => (1, "s"), null, new[] { "n", "s" }, name: "p");
        var consumer = Node.Create((List<int> s) => 1, "s", "c", name: "q");
        var ex = Assert.Throws<DatasetTypeMismatchException>(() => new Pipeline([producer, consumer]));
        Assert.Equal("s", ex.Dataset);
        Assert.Contains("as List<Int32>", ex.Message);
    }

    [Fact]
    public void AssignableAndUnknownTypes_AreAccepted()
    {
        var list = Node.Create(() => new List<int> { 1 }, null, "xs", name: "p");
        var asEnumerable = Node.Create((IEnumerable<int> xs) => xs.Sum(), "xs", "sum", name: "q");
        var asObject = Node.Create((object xs) => 1, "xs", "o", name: "r");
        var nullable = Node.Create((int? s) => s ?? 0, "sum", "z", name: "s");
        var pipeline = new Pipeline([list, asEnumerable, asObject, nullable]);
        Assert.Equal(4, pipeline.Nodes.Count);
    }

    [Fact]
    public void DowncastFromNonSealedDeclaredType_IsAccepted()
    {
        var producer = Node.Create(() => (IEnumerable<int>)new List<int>(), null, "xs", name: "p");
        var consumer = Node.Create((List<int> xs) => xs.Count, "xs", "n", name: "q");
        Assert.Equal(2, new Pipeline([producer, consumer]).Nodes.Count);
    }

    [Fact]
    public void DifferentTranscodings_AreNotCompared()
    {
        var producer = Node.Create(() => "csv text", null, "t@csv", name: "p");
        var consumer = Node.Create((int[] rows) => rows.Length, "t@parquet", "n", name: "q");
        Assert.Equal(2, new Pipeline([producer, consumer]).Nodes.Count);
    }
}
