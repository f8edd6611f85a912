using System.Net;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Pipelines;
using PipelineRunner.Visualization;

namespace PipelineRunner.Distributed.Dashboard;

/// <summary>
/// A run's graph page: the run's nodes (names, datasets, outputs from their specs) rebuilt as a <see cref="Pipeline"/>
/// of placeholder functions, drawn by the core's <see cref="PipelineGraphExport.ToHtml"/> (the layered layout is
/// computed here, on the server, with collapsible namespaces), with the dashboard's style, details panel and live
/// script added.
/// </summary>
internal static class DashboardGraph
{
    /// <summary>From this many nodes on, the page opens with its top-level namespaces collapsed, each one box.</summary>
    public const int CollapseFrom = 2_000;

    /// <summary>The graph page of a run.</summary>
    /// <exception cref="ArgumentException">The specs do not form a valid pipeline (a driver older than the dashboard sent no outputs).</exception>
    public static string Html(string runId, IReadOnlyList<NodeSpec> specs)
    {
        var html = ToPipeline(specs).ToHtml(new PipelineGraphOptions { Title = "Run " + runId });
        if (specs.Count >= CollapseFrom)
        {
            html = html.Replace("<svg class=\"pipeline\"", "<svg class=\"pipeline\" data-collapsed=\"top\"", StringComparison.Ordinal);
        }

        var run = WebUtility.HtmlEncode(runId);
        html = html.Replace("</head>", "<link rel=\"stylesheet\" href=\"/assets/dashboard.css\">\n</head>", StringComparison.Ordinal);
        html = html.Replace("<body>\n", "<body class=\"graph-page\">\n" + DashboardPages.Navigation("graph") + "\n", StringComparison.Ordinal);
        return html.Replace(
            "</body>",
            "<aside id=\"details\" class=\"details\" hidden></aside>\n<script src=\"/assets/dashboard.js\"></script>\n<script src=\"/assets/graph.js\" data-run=\"" + run + "\"></script>\n</body>",
            StringComparison.Ordinal);
    }

    /// <summary>The run's nodes as a pipeline with the same names, namespaces, tags, inputs and outputs.</summary>
    internal static Pipeline ToPipeline(IReadOnlyList<NodeSpec> specs)
    {
        var nodes = new List<Node>(specs.Count);
        foreach (var spec in specs)
        {
            var outputs = new HashSet<string>(spec.Outputs, StringComparer.Ordinal);
            string[] inputs = [.. spec.Datasets.Select(d => d.Name).Where(n => !outputs.Contains(n))];
            var dot = spec.Name.LastIndexOf('.');
            nodes.Add(Node.Create(
                Placeholder,
                inputs.Length == 0 ? null : inputs,
                spec.Outputs.Count == 0 ? null : NodeOutputs.List([.. spec.Outputs]),
                name: dot < 0 ? spec.Name : spec.Name[(dot + 1)..],
                tags: spec.Tags,
                @namespace: dot < 0 ? null : spec.Name[..dot]));
        }

        return new Pipeline(nodes);
    }

    private static object? Placeholder(params object?[] inputs) => null;
}
