using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Pipelines;

/// <summary>What happens to a node's result when it does not fit the declared outputs, run by a runner.</summary>
public class NodeResultTests
{
    private static DataCatalog Catalog()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 21)]);
        return catalog;
    }

    private static async Task<ListLogger<SequentialRunner>> RunAsync(params Node[] nodes)
    {
        var logger = new ListLogger<SequentialRunner>();
        await new SequentialRunner(logger: logger).RunAsync(new Pipeline(nodes), Catalog());
        return logger;
    }

    [Fact]
    public async Task ANodeWithoutOutputsThatReturnsAValue_LogsKedrosWarning_NamingTheNodeAndTheValuesType()
    {
        var logger = await RunAsync(Node.Create((int a) => a * 2, "a", null, name: "doubler"));

        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(
            "Node 'doubler' returned a value of type 'Int32', but the node is defined with no outputs. The return value is ignored for nodes without declared outputs. If this return value is intentional, declare outputs in the node definition to include it in the pipeline.",
            warning.Message);
    }

    private static int report_total(int a) => a;

    [Fact]
    public async Task AnUnnamedNode_IsNamedByItsFunction_AsKedroDoes()
    {
        var logger = await RunAsync(Node.Create(report_total, "a", null));

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Node 'report_total' returned a value of type 'Int32'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANodeWithoutOutputsThatReturnsNothing_OrNull_OrAPlainTask_DoesNotWarn()
    {
        var logger = await RunAsync(
            Node.Create((int a) => { }, "a", null, name: "void"),
            Node.Create((int a) => (string?)null, "a", null, name: "null"),
            Node.Create(async (int a) => await Task.Yield(), "a", null, name: "task"),
            Node.Create((int a) => ValueTask.CompletedTask, "a", null, name: "value_task"));

        Assert.DoesNotContain(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("Completed 4 out of 4 tasks", logger.Messages);
    }

    [Fact]
    public async Task DictionaryOutputs_FromAResultThatIsNeitherADictionaryNorHasTheMembers_FailWithKedrosMessage()
    {
        var node = Node.Create((int a) => (object)a, "a", new Dictionary<string, string> { ["Low"] = "lo", ["High"] = "hi" }, name: "split");

        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(new Pipeline([node]), Catalog()));

        var inner = Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.StartsWith(
            "Failed to save outputs of node split: lambda([a]) -> [lo;hi].\nThe node output is a dictionary, whereas the function output is Int32, which is not a dictionary and has no public property or field [Low, High]",
            inner.Message);
    }

    [Fact]
    public async Task DictionaryOutputs_FromNull_FailWithKedrosMessage()
    {
        var node = Node.Create((int a) => (object?)null, "a", new Dictionary<string, string> { ["Low"] = "lo" }, name: "split");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => node.RunAsync(new Dictionary<string, object?> { ["a"] = 1 }));

        Assert.Equal(
            "Failed to save outputs of node split: lambda([a]) -> [lo].\nThe node output is a dictionary, whereas the function output is null: it has no keys or members [Low].",
            ex.Message);
    }

    private sealed record Halves(int Low, int High);

    [Fact]
    public async Task DictionaryOutputs_FromAnObjectDeclaredAsObject_TakeItsMembersAtRunTime()
    {
        var node = Node.Create((int a) => (object)new Halves(a / 2, a - (a / 2)), "a", new Dictionary<string, string> { ["High"] = "hi", ["Low"] = "lo" }, name: "split");

        var result = await node.RunAsync(new Dictionary<string, object?> { ["a"] = 21 });

        Assert.Equal(10, result["lo"]);
        Assert.Equal(11, result["hi"]);
    }
}
