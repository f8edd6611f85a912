using System.Globalization;
using System.Reflection;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Tests;

/// <summary>What the driver and a worker compare about a node: its definition and the identity of its code.</summary>
public sealed class NodeFingerprintTests
{
    private static readonly Module TestModule = typeof(NodeFingerprintTests).Module;

    private static string ShortMvid(Module module) => module.ModuleVersionId.ToString("N", CultureInfo.InvariantCulture)[..8];

    private static string Build(Module module) => $"{module.Assembly.GetName().Name} {module.Assembly.GetName().Version}, MVID {ShortMvid(module)}";

    [Fact]
    public void BuildOf_ALambda_NamesTheAssemblyVersionAndModuleVersionIdOfItsModule()
    {
        var node = Node.Create((int x) => x + 1, "a", "b", name: "inc");

        Assert.Equal(Build(TestModule), NodeFingerprint.BuildOf(node));
        Assert.Equal($"inc([a]) -> [b] from {Build(TestModule)}", NodeFingerprint.Describe(node));
    }

    [Fact]
    public void BuildOf_AClosure_IsItsDeclaringModuleOnly()
    {
        var offset = Environment.ProcessorCount; // captured: the function lives in a compiler-generated closure class
        var node = Node.Create((int x) => x + offset, "a", "b", name: "add");

        Assert.NotNull(node.Function.Target);
        Assert.Equal(Build(TestModule), NodeFingerprint.BuildOf(node));
    }

    [Fact]
    public void BuildOf_AnInstanceMethodInheritedFromAnotherModule_NamesBothModules()
    {
        // List<int>.Add is declared in the framework; the target's type here is declared in this test module.
        var target = new Numbers();
        var node = Node.Create(new Action<int>(target.Add), "a", null, name: "collect");

        Assert.Equal($"{Build(typeof(List<int>).Module)}; {Build(TestModule)}", NodeFingerprint.BuildOf(node));
    }

    [Fact]
    public void Of_DependsOnTheDefinition_AndIsStableForEqualDefinitions()
    {
        static int Inc(int x) => x + 1;
        var node = Node.Create(Inc, "a", "b", name: "inc");

        Assert.Matches("^[0-9a-f]{24}$", NodeFingerprint.Of(node));
        Assert.Equal(NodeFingerprint.Of(node), NodeFingerprint.Of(Node.Create(Inc, "a", "b", name: "inc")));
        Assert.NotEqual(NodeFingerprint.Of(node), NodeFingerprint.Of(Node.Create(Inc, "other", "b", name: "inc")));
        Assert.NotEqual(NodeFingerprint.Of(node), NodeFingerprint.Of(Node.Create(Inc, "a", "c", name: "inc")));
        Assert.NotEqual(NodeFingerprint.Of(node), NodeFingerprint.Of(Node.Create((long x) => x + 1, "a", "b", name: "inc")));
    }

    [Fact]
    public void Of_ANodeFromAnotherModule_WithTheSameDefinition_Differs()
    {
        // Same name, inputs, outputs and types; only the module the function comes from differs.
        var here = Node.Create((string s) => s.Length, "a", "b", name: "len");
        var sameModule = Node.Create(new Func<string, int>(Length), "a", "b", name: "len");
        var elsewhere = Node.Create(new Func<string, int>(Convert.ToInt32), "a", "b", name: "len");

        Assert.Equal(NodeFingerprint.Of(here), NodeFingerprint.Of(sameModule));
        Assert.NotEqual(NodeFingerprint.Of(here), NodeFingerprint.Of(elsewhere));
        Assert.Equal(Build(typeof(Convert).Module), NodeFingerprint.BuildOf(elsewhere));
    }

    [Fact]
    public void Of_IsComputedOncePerNode()
    {
        var node = Node.Create((int x) => x * 2, "a", "b", name: "double");

        var first = NodeFingerprint.Of(node);
        Assert.Same(first, NodeFingerprint.Of(node));
        Assert.Same(NodeFingerprint.BuildOf(node), NodeFingerprint.BuildOf(node));
    }

    private static int Length(string s) => s.Length;

    private sealed class Numbers : List<int>;
}
