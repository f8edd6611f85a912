using System.Text;

namespace PipelineRunner.Visualization.Internal;

/// <summary>
/// Writes a <see cref="GraphModel"/> as a Mermaid flowchart: nodes as boxes, datasets as stadiums, parameters as
/// hexagons, namespaces as nested <c>subgraph</c>s. Ids are the model's safe ids; labels are quoted with Mermaid's
/// entity codes for the characters that would end or change them.
/// </summary>
internal static class MermaidWriter
{
    private const string Indent = "    ";

    public static void Write(GraphModel model, StringBuilder text)
    {
        text.Append("flowchart TB\n");
        foreach (var v in Roots(model))
        {
            WriteVertex(model.Vertices[v], text, 1);
        }

        for (var ns = 0; ns < model.Namespaces.Count; ns++)
        {
            if (model.Namespaces[ns].Parent < 0)
            {
                WriteNamespace(model, ns, text, 1);
            }
        }

        foreach (var (source, target) in model.Edges)
        {
            text.Append(Indent).Append(model.Vertices[source].Id).Append(" --> ").Append(model.Vertices[target].Id).Append('\n');
        }

        text.Append(Indent).Append("classDef task fill:#e8eefc,stroke:#3b5bdb,color:#1b1b1b\n");
        text.Append(Indent).Append("classDef data fill:#f1f3f5,stroke:#868e96,color:#1b1b1b\n");
        text.Append(Indent).Append("classDef parameters fill:#fff4e6,stroke:#e8590c,color:#1b1b1b,stroke-dasharray:4 3\n");
    }

    private static IEnumerable<int> Roots(GraphModel model)
    {
        for (var v = 0; v < model.Vertices.Count; v++)
        {
            if (model.Vertices[v].Namespace < 0)
            {
                yield return v;
            }
        }
    }

    private static void WriteNamespace(GraphModel model, int index, StringBuilder text, int depth)
    {
        var ns = model.Namespaces[index];
        Pad(text, depth).Append("subgraph ").Append(ns.Id).Append("[\"").Append(Label(ns.FullName)).Append("\"]\n");
        foreach (var v in ns.Vertices)
        {
            WriteVertex(model.Vertices[v], text, depth + 1);
        }

        foreach (var child in ns.Children)
        {
            WriteNamespace(model, child, text, depth + 1);
        }

        Pad(text, depth).Append("end\n");
    }

    private static void WriteVertex(GraphVertex vertex, StringBuilder text, int depth)
    {
        var (open, close, cls) = vertex.Kind switch
        {
            VertexKind.Task => ("[\"", "\"]", "task"),
            VertexKind.Data => ("([\"", "\"])", "data"),
            _ => ("{{\"", "\"}}", "parameters"),
        };
        Pad(text, depth).Append(vertex.Id).Append(open).Append(Label(vertex.Name)).Append(close).Append(":::").Append(cls).Append('\n');
    }

    private static StringBuilder Pad(StringBuilder text, int depth)
    {
        for (var i = 0; i < depth; i++)
        {
            text.Append(Indent);
        }

        return text;
    }

    /// <summary>
    /// A label for inside <c>"…"</c>: <c>"</c>, <c>#</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c> and the backtick (which
    /// would start a Markdown string) as Mermaid entity codes (<c>#quot;</c>, <c>#35;</c>, …); control characters as
    /// spaces. Other characters, Unicode included, stay as they are.
    /// </summary>
    internal static string Label(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            _ = c switch
            {
                '"' => text.Append("#quot;"),
                '#' => text.Append("#35;"),
                '<' => text.Append("#lt;"),
                '>' => text.Append("#gt;"),
                '&' => text.Append("#amp;"),
                '`' => text.Append("#96;"),
                _ when char.IsControl(c) => text.Append(' '),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }
}
