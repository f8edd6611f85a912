using PipelineRunner.Pipelines;

namespace PipelineRunner.Tests.Pipelines;

public class ModularPipelineTests
{
    private static Pipeline Template() => new([
        Node.Create((int raw, double rate) => raw * rate, new[] { "raw", "params:rate" }, "scaled", name: "scale"),
        Node.Create((double scaled, int all) => scaled, new[] { "scaled", "parameters" }, "report@json", name: "report"),
    ]);

    [Fact]
    public void Namespace_PrefixesNodesDatasetsAndParameters()
    {
        var p = Pipeline.Create(Template(), @namespace: "eu");
        var names = p.Nodes.Select(n => n.Name).ToArray();
        Assert.Equal(["eu.scale", "eu.report"], names);
        Assert.Equal(["eu.raw", "params:eu.rate"], p.FindNode("eu.scale")!.Inputs);
        Assert.Equal(["eu.scaled", "parameters"], p.FindNode("eu.report")!.Inputs);
        Assert.Equal(["eu.report@json"], p.FindNode("eu.report")!.Outputs);
        Assert.All(p.Nodes, n => Assert.Equal("eu", n.Namespace));
    }

    [Fact]
    public void AnEmptyNamespace_PrefixesNothing()
    {
        var same = Pipeline.Create(Template(), @namespace: "");
        Assert.Equal(["scale", "report"], same.Nodes.Select(n => n.Name));
        Assert.Equal(["raw", "params:rate"], same.FindNode("scale")!.Inputs);

        var renamed = Pipeline.Create(Template(), inputs: new Dictionary<string, string> { ["raw"] = "companies" }, @namespace: "");
        Assert.Equal(["companies", "params:rate"], renamed.FindNode("scale")!.Inputs);
        Assert.Equal(["scaled", "parameters"], renamed.FindNode("report")!.Inputs);
        Assert.All(renamed.Nodes, n => Assert.Null(n.Namespace));
    }

    [Fact]
    public void Mappings_RenameInputsOutputsAndParameters()
    {
        var p = Pipeline.Create(
            Template(),
            inputs: new Dictionary<string, string> { ["raw"] = "companies" },
            outputs: new Dictionary<string, string> { ["report"] = "final_report" },
            parameters: new Dictionary<string, string> { ["rate"] = "global_rate" },
            @namespace: "eu");
        Assert.Equal(["companies", "params:global_rate"], p.FindNode("eu.scale")!.Inputs);
        Assert.Equal(["final_report@json"], p.FindNode("eu.report")!.Outputs);
    }

    [Fact]
    public void KeptNames_AreNotPrefixed()
    {
        var p = Pipeline.Create(Template(), inputs: "raw", parameters: "params:rate", @namespace: "x");
        Assert.Equal(["raw", "params:rate"], p.FindNode("x.scale")!.Inputs);
    }

    [Fact]
    public void UsedTwice_GivesDisjointPipelines()
    {
        var both = Pipeline.Create(Template(), @namespace: "a") + Pipeline.Create(Template(), @namespace: "b");
        Assert.Equal(4, both.Nodes.Count);
        Assert.Equal(new[] { "a.raw", "b.raw", "parameters", "params:a.rate", "params:b.rate" }, both.Inputs().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NestedNamespaces_Compose()
    {
        var inner = Pipeline.Create(Template(), @namespace: "inner");
        var outer = Pipeline.Create(inner, @namespace: "outer");
        Assert.Equal("outer.inner.scale", outer.Nodes[0].Name);
        Assert.Equal("outer.inner", outer.Nodes[0].Namespace);
        Assert.Equal("outer.inner.raw", outer.Nodes[0].Inputs[0]);
    }

    [Fact]
    public void WithoutPrefixingDatasets_NodesGetTheNamespace_ButDatasetsAndParametersKeepTheirNames()
    {
        var p = Pipeline.Create(Template(), new ModularPipelineOptions { Namespace = "eu", PrefixDatasetsWithNamespace = false });

        Assert.Equal(["eu.scale", "eu.report"], p.Nodes.Select(n => n.Name));
        Assert.All(p.Nodes, n => Assert.Equal("eu", n.Namespace));
        Assert.Equal(["raw", "params:rate"], p.FindNode("eu.scale")!.Inputs);
        Assert.Equal(["scaled"], p.FindNode("eu.scale")!.Outputs);
        Assert.Equal(["scaled", "parameters"], p.FindNode("eu.report")!.Inputs);
        Assert.Equal(["report@json"], p.FindNode("eu.report")!.Outputs);
        Assert.Equal(["eu"], p.OnlyNodesWithNamespace("eu").Nodes.Select(n => n.Namespace).Distinct());
    }

    [Fact]
    public void WithoutPrefixingDatasets_TheMappingsStillRename()
    {
        var p = Pipeline.Create(Template(), new ModularPipelineOptions
        {
            Inputs = new Dictionary<string, string> { ["raw"] = "companies" },
            Outputs = new Dictionary<string, string> { ["report"] = "final_report" },
            Parameters = new Dictionary<string, string> { ["rate"] = "global_rate" },
            Namespace = "eu",
            Tags = ["reused"],
            PrefixDatasetsWithNamespace = false,
        });

        Assert.Equal(["companies", "params:global_rate"], p.FindNode("eu.scale")!.Inputs);
        Assert.Equal(["scaled"], p.FindNode("eu.scale")!.Outputs);
        Assert.Equal(["final_report@json"], p.FindNode("eu.report")!.Outputs);
        Assert.All(p.Nodes, n => Assert.Equal(["reused"], n.Tags));
    }

    [Fact]
    public void PrefixingDatasets_IsTheDefault_AsWithTheShortOverload()
    {
        var options = new ModularPipelineOptions { Namespace = "eu", Parameters = "rate" };
        Assert.True(options.PrefixDatasetsWithNamespace);

        var viaOptions = Pipeline.Create(Template(), options);
        var viaArguments = Pipeline.Create(Template(), parameters: "rate", @namespace: "eu");

        Assert.Equal(["eu.raw", "params:rate"], viaOptions.FindNode("eu.scale")!.Inputs);
        Assert.Equal(viaArguments.Nodes, viaOptions.Nodes);
        var template = Template();
        Assert.Same(template, Pipeline.Create(template, new ModularPipelineOptions { PrefixDatasetsWithNamespace = false }));
    }

    [Fact]
    public void WithoutPrefixingDatasets_NestedNamespacesComposeOnNodesOnly_AndAnOuterPrefixStillApplies()
    {
        var inner = Pipeline.Create(Template(), new ModularPipelineOptions { Namespace = "inner", PrefixDatasetsWithNamespace = false });
        var unprefixed = Pipeline.Create(inner, new ModularPipelineOptions { Namespace = "outer", PrefixDatasetsWithNamespace = false });
        var prefixed = Pipeline.Create(inner, @namespace: "outer");

        Assert.Equal("outer.inner.scale", unprefixed.Nodes[0].Name);
        Assert.Equal("outer.inner", unprefixed.Nodes[0].Namespace);
        Assert.Equal(["raw", "params:rate"], unprefixed.Nodes[0].Inputs);
        Assert.Equal(["outer.raw", "params:outer.rate"], prefixed.FindNode("outer.inner.scale")!.Inputs);
    }

    [Fact]
    public void WithoutPrefixingDatasets_TwoUsesShareTheirDatasets_SoTheirOutputsCollide()
    {
        var a = Pipeline.Create(Template(), new ModularPipelineOptions { Namespace = "a", PrefixDatasetsWithNamespace = false });
        var b = Pipeline.Create(Template(), new ModularPipelineOptions { Namespace = "b", PrefixDatasetsWithNamespace = false });

        var ex = Assert.Throws<OutputNotUniqueException>(() => a + b);
        Assert.StartsWith("Output(s) [report, scaled] are returned by more than one nodes.", ex.Message);
    }

    [Fact]
    public void MappingUnknownDataset_Throws()
    {
        var ex = Assert.Throws<PipelineException>(() => Pipeline.Create(Template(), inputs: "nope"));
        Assert.Equal("Failed to map datasets and/or parameters onto the nodes provided: nope does not exist in the pipeline.", ex.Message);

        // Close names are suggested as Kedro's difflib does (similarity of at least 0.6), not by substring.
        var typo = Assert.Throws<PipelineException>(() => Pipeline.Create(Template(), outputs: "scald"));
        Assert.Equal("Failed to map datasets and/or parameters onto the nodes provided: scald does not exist in the pipeline. - did you mean one of these instead: scaled", typo.Message);
        var unrelated = Assert.Throws<PipelineException>(() => Pipeline.Create(Template(), outputs: "r"));
        Assert.Equal("Failed to map datasets and/or parameters onto the nodes provided: r does not exist in the pipeline.", unrelated.Message);
    }

    [Fact]
    public void MappingIntermediateAsInput_Throws()
    {
        var ex = Assert.Throws<PipelineException>(() => Pipeline.Create(Template(), inputs: "scaled"));
        Assert.StartsWith("Inputs must not be outputs from another node in the same pipeline", ex.Message);
    }

    [Fact]
    public void MappingFreeInputAsOutput_Throws()
    {
        var ex = Assert.Throws<PipelineException>(() => Pipeline.Create(Template(), outputs: "raw"));
        Assert.StartsWith("All outputs must be generated by some node within the pipeline", ex.Message);
    }

    [Fact]
    public void ParameterGivenAsInput_Throws()
    {
        var ex = Assert.Throws<PipelineException>(() => Pipeline.Create(Template(), inputs: "params:rate"));
        Assert.Equal("Parameters should be specified in the 'parameters' argument", ex.Message);
    }

    [Fact]
    public void IntermediateOutputsCanBeExposed()
    {
        var p = Pipeline.Create(Template(), outputs: new Dictionary<string, string> { ["scaled"] = "shared_scaled" }, @namespace: "n");
        Assert.Equal(["shared_scaled"], p.FindNode("n.scale")!.Outputs);
        Assert.Equal("shared_scaled", p.FindNode("n.report")!.Inputs[0]);
    }
}
