using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineRunner.Pipelines;
using PipelineRunner.Visualization;

namespace PipelineRunner.Tests.Visualization;

public sealed partial class PipelineGraphExportTests
{
    /// <summary>
    /// raw → preprocess → companies@parquet → report → summary, and a modular pipeline <c>ds</c>: companies@pandas +
    /// params:ds.threshold → ds.train → ds.model → ds.evaluate → ds.metrics.
    /// </summary>
    internal static Pipeline Sample() =>
        new Pipeline([
            Node.Create((string raw) => raw, "raw", "companies@parquet", name: "preprocess"),
            Node.Create((string companies) => companies, "companies@parquet", "summary", name: "report", tags: ["report"]),
        ])
        + Pipeline.Create(
            new Pipeline([
                Node.Create((string companies, double threshold) => companies.Length * threshold, new[] { "companies@pandas", "params:threshold" }, "model", name: "train", tags: ["training"]),
                Node.Create((double model) => model, "model", "metrics", name: "evaluate"),
            ]),
            inputs: "companies@pandas",
            @namespace: "ds");

    [Fact]
    public void ToMermaid_DrawsNodesDatasetsParametersAndNamespaces_WithTranscodedNamesAsOneDataset()
    {
        const string expected = """
            flowchart TB
                task_preprocess["preprocess"]:::task
                task_report["report"]:::task
                data_companies(["companies"]):::data
                data_raw(["raw"]):::data
                data_summary(["summary"]):::data
                subgraph ns_ds["ds"]
                    task_ds_train["ds.train"]:::task
                    task_ds_evaluate["ds.evaluate"]:::task
                    data_ds_metrics(["ds.metrics"]):::data
                    data_ds_model(["ds.model"]):::data
                    param_ds_threshold{{"params:ds.threshold"}}:::parameters
                end
                data_raw --> task_preprocess
                task_preprocess --> data_companies
                data_companies --> task_ds_train
                param_ds_threshold --> task_ds_train
                task_ds_train --> data_ds_model
                data_companies --> task_report
                task_report --> data_summary
                data_ds_model --> task_ds_evaluate
                task_ds_evaluate --> data_ds_metrics
                classDef task fill:#e8eefc,stroke:#3b5bdb,color:#1b1b1b
                classDef data fill:#f1f3f5,stroke:#868e96,color:#1b1b1b
                classDef parameters fill:#fff4e6,stroke:#e8590c,color:#1b1b1b,stroke-dasharray:4 3

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Sample().ToMermaid());
    }

    [Fact]
    public void ToDot_DrawsNodesAsBoxesDatasetsAsEllipses_AndNamespacesAsClusters()
    {
        const string expected = """
            digraph pipeline {
                rankdir=TB;
                node [fontname="Helvetica", fontsize=11];
                edge [color="#868e96"];
                "task_preprocess" [label="preprocess", shape=box, style=filled, fillcolor="#e8eefc"];
                "task_report" [label="report", shape=box, style=filled, fillcolor="#e8eefc"];
                "data_companies" [label="companies", shape=ellipse];
                "data_raw" [label="raw", shape=ellipse];
                "data_summary" [label="summary", shape=ellipse];
                subgraph "cluster_ns_ds" {
                    label="ds";
                    style="rounded,dashed";
                    "task_ds_train" [label="ds.train", shape=box, style=filled, fillcolor="#e8eefc"];
                    "task_ds_evaluate" [label="ds.evaluate", shape=box, style=filled, fillcolor="#e8eefc"];
                    "data_ds_metrics" [label="ds.metrics", shape=ellipse];
                    "data_ds_model" [label="ds.model", shape=ellipse];
                    "param_ds_threshold" [label="params:ds.threshold", shape=ellipse, style=dashed, color="#e8590c"];
                }
                "data_raw" -> "task_preprocess";
                "task_preprocess" -> "data_companies";
                "data_companies" -> "task_ds_train";
                "param_ds_threshold" -> "task_ds_train";
                "task_ds_train" -> "data_ds_model";
                "data_companies" -> "task_report";
                "task_report" -> "data_summary";
                "data_ds_model" -> "task_ds_evaluate";
                "task_ds_evaluate" -> "data_ds_metrics";
            }

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Sample().ToDot());
    }

    [Fact]
    public void ToJson_ParsesBack_WithVerticesEdgesModularPipelinesAndTags()
    {
        using var json = JsonDocument.Parse(Sample().ToJson());
        var root = json.RootElement;
        Assert.Equal("pipelinerunner.graph/1", root.GetProperty("schema").GetString());

        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(
            ["task_preprocess", "task_ds_train", "task_report", "task_ds_evaluate", "data_companies", "data_ds_metrics", "data_ds_model", "param_ds_threshold", "data_raw", "data_summary"],
            nodes.Select(n => n.GetProperty("id").GetString()));
        var byId = nodes.ToDictionary(n => n.GetProperty("id").GetString()!);

        var train = byId["task_ds_train"];
        Assert.Equal("ds.train", train.GetProperty("name").GetString());
        Assert.Equal("task", train.GetProperty("type").GetString());
        Assert.Equal("ds", train.GetProperty("namespace").GetString());
        Assert.Equal(1, train.GetProperty("layer").GetInt32());
        Assert.Equal(["training"], Strings(train, "tags"));
        Assert.Equal(["companies@pandas", "params:ds.threshold"], Strings(train, "inputs"));
        Assert.Equal(["ds.model"], Strings(train, "outputs"));

        var companies = byId["data_companies"];
        Assert.Equal("data", companies.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, companies.GetProperty("namespace").ValueKind);
        Assert.Equal(JsonValueKind.Null, companies.GetProperty("layer").ValueKind);
        Assert.Equal(["pandas", "parquet"], Strings(companies, "transcodings"));
        Assert.Equal(["preprocess"], Strings(companies, "inputs"));
        Assert.Equal(["ds.train", "report"], Strings(companies, "outputs"));
        Assert.Equal(["report", "training"], Strings(companies, "tags"));

        var threshold = byId["param_ds_threshold"];
        Assert.Equal("parameters", threshold.GetProperty("type").GetString());
        Assert.Equal("params:ds.threshold", threshold.GetProperty("name").GetString());
        Assert.Equal("ds", threshold.GetProperty("namespace").GetString());

        var edges = root.GetProperty("edges").EnumerateArray().Select(e => (e.GetProperty("source").GetString()!, e.GetProperty("target").GetString()!)).ToList();
        Assert.Equal(9, edges.Count);
        Assert.Contains(("data_companies", "task_ds_train"), edges);
        Assert.Contains(("task_preprocess", "data_companies"), edges);
        Assert.All(edges, e => Assert.True(byId.ContainsKey(e.Item1) && byId.ContainsKey(e.Item2)));

        var modular = root.GetProperty("modularPipelines").EnumerateArray().ToList();
        Assert.Equal(["__root__", "ds"], modular.Select(m => m.GetProperty("id").GetString()));
        Assert.Equal(["ds"], Strings(modular[0], "children"));
        Assert.Equal(["task_preprocess", "task_report", "data_companies", "data_raw", "data_summary"], Strings(modular[0], "nodes"));
        Assert.Equal("__root__", modular[1].GetProperty("parent").GetString());
        Assert.Equal(["task_ds_train", "task_ds_evaluate", "data_ds_metrics", "data_ds_model", "param_ds_threshold"], Strings(modular[1], "nodes"));
        Assert.Equal(["data_companies"], Strings(modular[1], "inputs"));
        Assert.Empty(Strings(modular[1], "outputs"));
        Assert.Equal(["report", "training"], Strings(root, "tags"));
    }

    [Fact]
    public void Exports_AreDeterministic_WhateverTheOrderTheNodesWereGivenIn()
    {
        var nodes = Sample().Nodes;
        var reversed = new Pipeline(nodes.Reverse());
        foreach (var format in Enum.GetValues<PipelineGraphFormat>())
        {
            Assert.Equal(Sample().Export(format), reversed.Export(format));
        }
    }

    [Fact]
    public void ToHtml_IsStandalone_WithAnSvgHoldingEveryVertexAndNamespace()
    {
        var pipeline = Sample();
        var html = pipeline.ToHtml(new PipelineGraphOptions { Title = "Sample <pipeline>" });
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<title>Sample &lt;pipeline&gt;</title>", html, StringComparison.Ordinal);
        var svg = html[html.IndexOf("<svg", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)];
        using var json = JsonDocument.Parse(pipeline.ToJson());
        foreach (var vertex in json.RootElement.GetProperty("nodes").EnumerateArray())
        {
            Assert.Contains($"id=\"{vertex.GetProperty("id").GetString()}\"", svg, StringComparison.Ordinal);
            Assert.Contains($">{vertex.GetProperty("name").GetString()}</text>", svg, StringComparison.Ordinal);
        }

        Assert.Contains("<g class=\"ns\" id=\"ns_ds\"", svg, StringComparison.Ordinal);
        Assert.Equal(9, Regex.Count(svg, "<path data-s="));
        // Tooltips name inputs, outputs and tags.
        Assert.Contains("<title>ds.train\ntype: task\nnamespace: ds\ninputs: companies@pandas, params:ds.threshold\noutputs: ds.model\ntags: training</title>", svg, StringComparison.Ordinal);

        // Nothing from the network: the only URI is the SVG namespace, and no script, style or image is linked.
        Assert.Equal(["http://www.w3.org/2000/svg"], UrlPattern().Matches(html).Select(m => m.Value).Distinct());
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotContain("fetch(", html, StringComparison.Ordinal);
    }

    [Fact]
    public void OddNames_AreEscapedForEachFormat()
    {
        const string quoted = "say \"hi\" #1 <b>&`x`";
        const string slashed = "C:\\data\\été.csv";
        var pipeline = new Pipeline([
            Node.Create((string a) => a, slashed, quoted, name: "end"),
            Node.Create((string a) => a, quoted, "a.b", name: "daten_übernehmen", @namespace: "névtér"),
            Node.Create((string a) => a, "a.b", "a_b", name: "copy"),
        ]);

        var mermaid = pipeline.ToMermaid();
        Assert.Contains("data_say__hi___1__b___x_([\"say #quot;hi#quot; #35;1 #lt;b#gt;#amp;#96;x#96;\"]):::data", mermaid, StringComparison.Ordinal);
        Assert.Contains("data_C__data__t__csv([\"C:\\data\\été.csv\"]):::data", mermaid, StringComparison.Ordinal);
        Assert.Contains("subgraph ns_n_vt_r[\"névtér\"]", mermaid, StringComparison.Ordinal);
        Assert.Contains("task_n_vt_r_daten__bernehmen[\"névtér.daten_übernehmen\"]:::task", mermaid, StringComparison.Ordinal);
        Assert.Contains("task_end[\"end\"]:::task", mermaid, StringComparison.Ordinal);
        // a.b and a_b sanitize alike: the second in order gets a suffix.
        Assert.Contains("data_a_b([\"a.b\"]):::data", mermaid, StringComparison.Ordinal);
        Assert.Contains("data_a_b_2([\"a_b\"]):::data", mermaid, StringComparison.Ordinal);
        foreach (var line in mermaid.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Every id is safe, and every label has exactly its two delimiting quotes.
            Assert.Matches("^\\s*(flowchart TB|end|classDef .*|[A-Za-z0-9_]+ --> [A-Za-z0-9_]+|(subgraph )?[A-Za-z0-9_]+(\\[|\\(\\[|\\{\\{)\"[^\"]*\"(\\]|\\]\\)|\\}\\})(:::\\w+)?)$", line);
        }

        var dot = pipeline.ToDot();
        Assert.Contains("\"data_say__hi___1__b___x_\" [label=\"say \\\"hi\\\" #1 <b>&`x`\", shape=ellipse];", dot, StringComparison.Ordinal);
        Assert.Contains("[label=\"C:\\\\data\\\\été.csv\", shape=ellipse];", dot, StringComparison.Ordinal);
        Assert.Contains("subgraph \"cluster_ns_n_vt_r\" {", dot, StringComparison.Ordinal);
        Assert.Contains("label=\"névtér\";", dot, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(pipeline.ToJson());
        var names = json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()).ToList();
        Assert.Contains(quoted, names);
        Assert.Contains(slashed, names);
        Assert.Contains("névtér.daten_übernehmen", names);
        Assert.DoesNotContain("<b>", pipeline.ToJson(), StringComparison.Ordinal);

        var html = pipeline.ToHtml();
        Assert.Contains(">say &quot;hi&quot; #1 &lt;b&gt;&amp;`x`</text>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedNamespaces_AreNestedClusters_AndSharedDatasetsStayOutside()
    {
        var inner = new Pipeline([Node.Create((int x) => x, "x", "y", name: "step")]);
        var outer = Pipeline.Create(Pipeline.Create(inner, inputs: "x", @namespace: "inner") + new Pipeline([Node.Create((int y) => y, "inner.y", "z", name: "after")]), inputs: "x", @namespace: "outer");
        var pipeline = outer + new Pipeline([Node.Create((int z) => z, "outer.z", "result", name: "final")]);

        Assert.Contains("""
                subgraph ns_outer["outer"]
                    task_outer_after["outer.after"]:::task
                    data_outer_inner_y(["outer.inner.y"]):::data
                    subgraph ns_outer_inner["outer.inner"]
                        task_outer_inner_step["outer.inner.step"]:::task
                    end
                end
            """.ReplaceLineEndings("\n"), pipeline.ToMermaid(), StringComparison.Ordinal);
        Assert.Contains("    data_outer_z([\"outer.z\"]):::data\n", pipeline.ToMermaid(), StringComparison.Ordinal); // read outside: outside
        Assert.Contains("    data_x([\"x\"]):::data\n", pipeline.ToMermaid(), StringComparison.Ordinal);

        var dot = pipeline.ToDot();
        Assert.Contains("    subgraph \"cluster_ns_outer\" {\n        label=\"outer\";\n        style=\"rounded,dashed\";\n        \"task_outer_after\"", dot, StringComparison.Ordinal);
        Assert.Contains("        subgraph \"cluster_ns_outer_inner\" {\n            label=\"outer.inner\";", dot, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(pipeline.ToJson());
        var modular = json.RootElement.GetProperty("modularPipelines").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
        Assert.Equal(["outer.inner"], Strings(modular["outer"], "children"));
        Assert.Equal("outer", modular["outer.inner"].GetProperty("parent").GetString());
        Assert.Equal("inner", modular["outer.inner"].GetProperty("name").GetString());
        Assert.Equal(["data_x"], Strings(modular["outer"], "inputs"));
        Assert.Equal(["data_outer_z"], Strings(modular["outer"], "outputs"));
        Assert.Equal(["data_outer_inner_y"], Strings(modular["outer.inner"], "outputs"));
    }

    [Fact]
    public async Task WriteAsync_WritesWhatExportReturns()
    {
        using var writer = new StringWriter();
        await Sample().WriteAsync(writer, PipelineGraphFormat.Dot);
        Assert.Equal(Sample().ToDot(), writer.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => Sample().Export((PipelineGraphFormat)42));
    }

    [Fact]
    public void AThousandNodePipeline_ExportsToEveryFormat_InUnderFiveSeconds()
    {
        // A sanity bound, not a performance claim.
        var pipeline = Large();
        var stopwatch = Stopwatch.StartNew();
        var sizes = Enum.GetValues<PipelineGraphFormat>().Select(f => pipeline.Export(f).Length).ToList();
        stopwatch.Stop();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Exporting took {stopwatch.Elapsed}.");
        Assert.All(sizes, s => Assert.True(s > 1000 * 20));
    }

    /// <summary>1,000 nodes in ten namespaces of four nested ones each: a chain with links 7 back, parameters, transcoding.</summary>
    internal static Pipeline Large()
    {
        var nodes = new List<Node>();
        for (var i = 0; i < 1000; i++)
        {
            var inputs = new List<string> { i == 0 ? "seed" : $"d{i - 1}@mem" };
            if (i >= 7)
            {
                inputs.Add($"d{i - 7}@mem");
            }

            if (i % 10 == 0)
            {
                inputs.Add($"params:p{i}");
            }

            var arity = inputs.Count;
            Delegate function = arity switch
            {
                1 => (int a) => a,
                2 => (int a, int b) => a + b,
                _ => (int a, int b, int c) => a + b + c,
            };
            nodes.Add(Node.Create(function, inputs.ToArray(), $"d{i}@mem", name: $"n{i}", tags: [$"t{i % 3}"], @namespace: $"ns{i / 100}.sub{i / 25 % 4}"));
        }

        return new Pipeline(nodes);
    }

    private static List<string?> Strings(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetString()).ToList();

    [GeneratedRegex("https?://[^\"'\\s<>)]*")]
    private static partial Regex UrlPattern();
}
