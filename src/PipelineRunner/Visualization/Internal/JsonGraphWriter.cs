using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace PipelineRunner.Visualization.Internal;

/// <summary>
/// Writes a <see cref="GraphModel"/> as JSON with <see cref="Utf8JsonWriter"/> (no reflection): the shape documented
/// on <see cref="PipelineGraphFormat.Json"/>, in the model's deterministic order.
/// </summary>
internal static class JsonGraphWriter
{
    /// <summary>The value of the document's <c>schema</c> property.</summary>
    public const string Schema = "pipelinerunner.graph/1";

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Letters of every script stay readable; characters that matter in HTML (<, >, &, ', ") are still escaped.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static byte[] Write(GraphModel model)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("schema", Schema);
            json.WriteStartArray("nodes");
            foreach (var v in model.Vertices)
            {
                json.WriteStartObject();
                json.WriteString("id", v.Id);
                json.WriteString("name", v.Name);
                json.WriteString("type", TypeName(v.Kind));
                if (v.Namespace >= 0)
                {
                    json.WriteString("namespace", model.Namespaces[v.Namespace].FullName);
                }
                else
                {
                    json.WriteNull("namespace");
                }

                if (v.Layer >= 0)
                {
                    json.WriteNumber("layer", v.Layer);
                }
                else
                {
                    json.WriteNull("layer");
                }

                Strings(json, "tags", v.Tags);
                Strings(json, "inputs", v.Inputs);
                Strings(json, "outputs", v.Outputs);
                Strings(json, "transcodings", v.Transcodings);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("edges");
            foreach (var (source, target) in model.Edges)
            {
                json.WriteStartObject();
                json.WriteString("source", model.Vertices[source].Id);
                json.WriteString("target", model.Vertices[target].Id);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("modularPipelines");
            WriteRoot(model, json);
            foreach (var ns in model.Namespaces)
            {
                json.WriteStartObject();
                json.WriteString("id", ns.FullName);
                json.WriteString("name", ns.Name);
                json.WriteString("parent", ns.Parent >= 0 ? model.Namespaces[ns.Parent].FullName : RootId);
                Strings(json, "children", ns.Children.Select(c => model.Namespaces[c].FullName));
                Strings(json, "nodes", ns.Vertices.Select(i => model.Vertices[i].Id));
                Strings(json, "inputs", ns.Inputs.Select(i => model.Vertices[i].Id));
                Strings(json, "outputs", ns.Outputs.Select(i => model.Vertices[i].Id));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            Strings(json, "tags", model.AllTags);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The id of the root modular pipeline, as Kedro-Viz names it.</summary>
    public const string RootId = "__root__";

    private static void WriteRoot(GraphModel model, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id", RootId);
        json.WriteString("name", RootId);
        json.WriteNull("parent");
        Strings(json, "children", model.Namespaces.Where(n => n.Parent < 0).Select(n => n.FullName));
        Strings(json, "nodes", model.Vertices.Where(v => v.Namespace < 0).Select(v => v.Id));
        Strings(json, "inputs", []);
        Strings(json, "outputs", []);
        json.WriteEndObject();
    }

    internal static string TypeName(VertexKind kind) => kind switch
    {
        VertexKind.Task => "task",
        VertexKind.Data => "data",
        _ => "parameters",
    };

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
