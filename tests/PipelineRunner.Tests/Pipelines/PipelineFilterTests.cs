using PipelineRunner.Pipelines;
using static PipelineRunner.Tests.Pipelines.PipelineTests;

namespace PipelineRunner.Tests.Pipelines;

public class PipelineFilterTests
{
    //   a -> n1 -> b -> n2 -> c -> n4 -> e
    //              b -> n3 -> d
    //   x -> n5 -> y
    private static Pipeline Graph() => new([
        N("n1", "a", "b", "prep"),
        N("n2", "b", "c", "prep", "model"),
        N("n3", "b", "d"),
        N("n4", "c", "e", "model"),
        N("n5", "x", "y"),
    ]);

    private static string[] Names(Pipeline p) => p.Nodes.Select(n => n.Name).Order().ToArray();

    [Fact]
    public void OnlyNodes_SelectsNamed() => Assert.Equal(["n1", "n4"], Names(Graph().OnlyNodes("n4", "n1")));

    [Fact]
    public void OnlyNodes_UnknownNameThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => Graph().OnlyNodes("n1", "nope"));
        Assert.Equal("Pipeline does not contain nodes named [nope].", ex.Message);
    }

    [Fact]
    public void OnlyNodes_SuggestsNamespacedNames()
    {
        var p = new Pipeline([N("n1", "a", "b").WithNamespace("ns")]);
        var ex = Assert.Throws<ArgumentException>(() => p.OnlyNodes("n1"));
        Assert.Contains("Did you mean: [ns.n1]?", ex.Message);
    }

    [Fact]
    public void OnlyNodesWithTags_SelectsAnyTag() => Assert.Equal(["n1", "n2", "n4"], Names(Graph().OnlyNodesWithTags("prep", "model")));

    [Fact]
    public void OnlyNodesWithTags_NoTagsGivesEmpty() => Assert.Empty(Graph().OnlyNodesWithTags().Nodes);

    [Fact]
    public void FromInputs_IncludesNodesDownstreamOfTheInput() => Assert.Equal(["n2", "n4"], Names(Graph().FromInputs("c", "b").OnlyNodesWithOutputs("c", "e")));

    [Fact]
    public void FromInputs_IsTransitive() => Assert.Equal(["n2", "n3", "n4"], Names(Graph().FromInputs("b")));

    [Fact]
    public void FromInputs_UnknownDatasetThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => Graph().FromInputs("zzz"));
        Assert.Equal("Pipeline does not contain datasets named [zzz]", ex.Message);
    }

    [Fact]
    public void ToOutputs_IncludesEverythingUpstream() => Assert.Equal(["n1", "n2", "n4"], Names(Graph().ToOutputs("e")));

    [Fact]
    public void OnlyNodesWithOutputs_IsDirect() => Assert.Equal(["n3"], Names(Graph().OnlyNodesWithOutputs("d")));

    [Fact]
    public void OnlyNodesWithInputs_IsDirect() => Assert.Equal(["n2", "n3"], Names(Graph().OnlyNodesWithInputs("b")));

    [Fact]
    public void FromNodes_IncludesTheNodesAndDownstream() => Assert.Equal(["n2", "n4"], Names(Graph().FromNodes("n2")));

    [Fact]
    public void ToNodes_IncludesTheNodesAndUpstream() => Assert.Equal(["n1", "n2"], Names(Graph().ToNodes("n2")));

    [Fact]
    public void ToNodes_UnknownNodeThrows() => Assert.Throws<ArgumentException>(() => Graph().ToNodes("zz"));

    [Fact]
    public void TranscodedFilters_MatchBaseNameOrExactFormat()
    {
        var p = new Pipeline([N("w", "a", "t@spark"), N("r1", "t@pandas", "u"), N("r2", "t@spark", "v")]);
        Assert.Equal(["r1", "r2"], Names(p.OnlyNodesWithInputs("t")));
        Assert.Equal(["r1"], Names(p.OnlyNodesWithInputs("t@pandas")));
        Assert.Equal(["w"], Names(p.OnlyNodesWithOutputs("t")));
        Assert.Empty(p.OnlyNodesWithOutputs("t@pandas").Nodes);
        Assert.Equal(["r1", "r2", "w"], Names(p.FromNodes("w")));

        // As in Kedro, a transcoded name must exist as written: an unknown format is an error, not an empty match.
        foreach (var filter in new Func<Pipeline, Pipeline>[] { x => x.OnlyNodesWithInputs("t@zz"), x => x.OnlyNodesWithOutputs("t@zz"), x => x.FromInputs("t@zz"), x => x.ToOutputs("t@zz") })
        {
            Assert.Equal("Pipeline does not contain datasets named [t@zz]", Assert.Throws<ArgumentException>(() => filter(p)).Message);
        }
    }

    [Fact]
    public void OnlyNodesWithNamespace_IncludesNestedNamespaces()
    {
        var p = new Pipeline([
            N("a", "i", "o1").WithNamespace("train"),
            N("b", "i", "o2").WithNamespace("train.inner"),
            N("c", "i", "o3").WithNamespace("trainer"),
        ]);
        Assert.Equal(["train.a", "train.inner.b"], Names(p.OnlyNodesWithNamespace("train")));
        var ex = Assert.Throws<ArgumentException>(() => p.OnlyNodesWithNamespace("nope"));
        Assert.Contains("namespaces: [nope]", ex.Message);
    }

    [Fact]
    public void Filter_IntersectsEachCondition()
    {
        var filtered = Graph().Filter(new PipelineFilter { Tags = ["model"], FromNodes = ["n1"], ToNodes = ["n4"] });
        Assert.Equal(["n2", "n4"], Names(filtered));
    }

    [Fact]
    public void Filter_IsNotChaining()
    {
        // Chaining ToNodes after FromInputs would fail (n1 is gone); the intersection keeps n2.
        var filtered = Graph().Filter(new PipelineFilter { FromInputs = ["b"], ToOutputs = ["c"] });
        Assert.Equal(["n2"], Names(filtered));
    }

    [Fact]
    public void Filter_EmptyResultThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => Graph().Filter(new PipelineFilter { NodeNames = ["n5"], Tags = ["model"] }));
        Assert.StartsWith("Pipeline contains no nodes after applying all provided filters", ex.Message);
    }

    // Spaceflights-like names, to check the "did you mean" suggestions (similarity of at least 0.6, as Kedro's difflib).
    private static Pipeline Spaceflights() => new([
        N("preprocess_companies", "companies", "preprocessed_companies", "data_processing").WithNamespace("data_processing"),
        N("split_data", new[] { "model_input_table", "params:model_options" }, new[] { "X_train", "X_test" }, "training"),
        N("train_model", "X_train", "regressor", "training"),
        N("evaluate_model", new[] { "regressor", "X_test" }, "metrics", "reporting"),
    ]);

    [Fact]
    public void UnknownNodeNames_SuggestCloseNames_InEveryNodeFilter()
    {
        const string Expected = "Pipeline does not contain nodes named [splt_data]. Did you mean: [split_data]?";
        var p = Spaceflights();
        Assert.Equal(Expected, Assert.Throws<ArgumentException>(() => p.OnlyNodes("splt_data")).Message);
        Assert.Equal(Expected, Assert.Throws<ArgumentException>(() => p.FromNodes("splt_data")).Message);
        Assert.Equal(Expected, Assert.Throws<ArgumentException>(() => p.ToNodes("splt_data")).Message);
        Assert.Equal(Expected, Assert.Throws<ArgumentException>(() => p.Filter(new PipelineFilter { NodeNames = ["splt_data"] })).Message);

        // Namespaced names come first (as Kedro suggests them), then names spelled alike; each unknown name has its own.
        Assert.Equal(
            "Pipeline does not contain nodes named [preprocess_companies, train_modl]. Did you mean: [data_processing.preprocess_companies, train_model]?",
            Assert.Throws<ArgumentException>(() => p.OnlyNodes("preprocess_companies", "train_modl")).Message);
        Assert.Equal(
            "Pipeline does not contain nodes named [model]. Did you mean: [train_model]?",
            Assert.Throws<ArgumentException>(() => p.OnlyNodes("model")).Message);
    }

    [Fact]
    public void UnknownDatasets_SuggestCloseNames_InInputAndOutputFilters()
    {
        var p = Spaceflights();
        Assert.Equal(
            "Pipeline does not contain datasets named [model_input]. Did you mean: [model_input_table]?",
            Assert.Throws<ArgumentException>(() => p.FromInputs("model_input")).Message);
        Assert.Equal(
            "Pipeline does not contain datasets named [X_tset, regresor]. Did you mean: [X_test, regressor]?",
            Assert.Throws<ArgumentException>(() => p.ToOutputs("X_tset", "regresor")).Message);
        Assert.Equal(
            "Pipeline does not contain datasets named [metric]. Did you mean: [metrics]?",
            Assert.Throws<ArgumentException>(() => p.Filter(new PipelineFilter { ToOutputs = ["metric"] })).Message);
    }

    [Fact]
    public void UnknownNamespace_SuggestsCloseNamespaces()
    {
        var ex = Assert.Throws<ArgumentException>(() => Spaceflights().OnlyNodesWithNamespace("data_procesing"));
        Assert.Equal("Pipeline does not contain nodes with the following namespaces: [data_procesing]. Did you mean: [data_processing]?", ex.Message);
    }

    [Fact]
    public void Filter_WithTagsNoNodeHas_NamesThemAndSuggestsCloseTags()
    {
        var p = Spaceflights();
        var ex = Assert.Throws<ArgumentException>(() => p.Filter(new PipelineFilter { Tags = ["trainig", "reportin", "zzz"] }));
        Assert.Equal(
            "Pipeline contains no nodes after applying all provided filters. Please ensure that at least one pipeline with nodes has been defined."
            + " No node has the tag(s) [trainig, reportin, zzz]. Did you mean: [training, reporting]?",
            ex.Message);

        // Known tags that select nothing together with another filter: nothing to name.
        var empty = Assert.Throws<ArgumentException>(() => p.Filter(new PipelineFilter { Tags = ["reporting"], NodeNames = ["split_data"] }));
        Assert.Equal("Pipeline contains no nodes after applying all provided filters. Please ensure that at least one pipeline with nodes has been defined.", empty.Message);

        // As in Kedro, an unknown tag among known ones only selects less.
        Assert.Equal(["split_data", "train_model"], Names(p.Filter(new PipelineFilter { Tags = ["training", "trainig"] })));
    }
}
