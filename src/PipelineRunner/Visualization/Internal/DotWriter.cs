using System.Text;

namespace PipelineRunner.Visualization.Internal;

/// <summary>
/// Writes a <see cref="GraphModel"/> in Graphviz DOT: nodes as boxes, datasets as ellipses, parameters as dashed
/// ellipses, namespaces as nested <c>subgraph cluster_…</c>. Every id and label is a quoted string with <c>\</c> and
/// <c>"</c> escaped.
/// </summary>
internal static class DotWriter
{
    private const string Indent = "    ";

    public static void Write(GraphModel model, StringBuilder text)
    {
        text.Append("digraph pipeline {\n");
        text.Append(Indent).Append("rankdir=TB;\n");
        text.Append(Indent).Append("node [fontname=\"Helvetica\", fontsize=11];\n");
        text.Append(Indent).Append("edge [color=\"#868e96\"];\n");
        for (var v = 0; v < model.Vertices.Count; v++)
        {
            if (model.Vertices[v].Namespace < 0)
            {
                WriteVertex(model.Vertices[v], text, 1);
            }
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
            text.Append(Indent).Append(Quote(model.Vertices[source].Id)).Append(" -> ").Append(Quote(model.Vertices[target].Id)).Append(";\n");
        }

        text.Append("}\n");
    }

    private static void WriteNamespace(GraphModel model, int index, StringBuilder text, int depth)
    {
        var ns = model.Namespaces[index];
        Pad(text, depth).Append("subgraph ").Append(Quote("cluster_" + ns.Id)).Append(" {\n");
        Pad(text, depth + 1).Append("label=").Append(Quote(ns.FullName)).Append(";\n");
        Pad(text, depth + 1).Append("style=\"rounded,dashed\";\n");
        foreach (var v in ns.Vertices)
        {
            WriteVertex(model.Vertices[v], text, depth + 1);
        }

        foreach (var child in ns.Children)
        {
            WriteNamespace(model, child, text, depth + 1);
        }

        Pad(text, depth).Append("}\n");
    }

    private static void WriteVertex(GraphVertex vertex, StringBuilder text, int depth)
    {
        var attributes = vertex.Kind switch
        {
            VertexKind.Task => "shape=box, style=filled, fillcolor=\"#e8eefc\"",
            VertexKind.Data => "shape=ellipse",
            _ => "shape=ellipse, style=dashed, color=\"#e8590c\"",
        };
        Pad(text, depth).Append(Quote(vertex.Id)).Append(" [label=").Append(Quote(vertex.Name)).Append(", ").Append(attributes).Append("];\n");
    }

    private static StringBuilder Pad(StringBuilder text, int depth)
    {
        for (var i = 0; i < depth; i++)
        {
            text.Append(Indent);
        }

        return text;
    }

    /// <summary>A DOT quoted string: <c>\</c> and <c>"</c> escaped, line breaks as <c>\n</c>, other control characters as spaces.</summary>
    internal static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append("\\n"),
                _ when char.IsControl(c) => text.Append(' '),
                _ => text.Append(c),
            };
        }

        return text.Append('"').ToString();
    }
}
