using System.Buffers;
using System.Text;
using System.Text.Json;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Dashboard;

/// <summary>
/// What the graph page shows for a dataset of a run: where it lives (the store, in memory or spilled, with its size; or
/// a catalog file, with its type and path), which nodes write and read it. Only the catalog definition's type and
/// file path are shown: a definition can carry credentials, which never leave the scheduler this way.
/// </summary>
internal static class DashboardDatasets
{
    /// <summary>The dataset as JSON, or null when no node of the run has it.</summary>
    /// <param name="specs">The run's nodes.</param>
    /// <param name="name">The dataset's name, as drawn (without a transcoding: <c>x</c> stands for <c>x@csv</c> too).</param>
    /// <param name="store">The scheduler's store.</param>
    public static string? Describe(IReadOnlyList<NodeSpec> specs, string name, DatasetStore store)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var writers = new List<string>();
        var readers = new List<string>();
        DatasetSpec? found = null;
        foreach (var spec in specs)
        {
            foreach (var dataset in spec.Datasets)
            {
                if (dataset.Name != name && !dataset.Name.StartsWith(name + "@", StringComparison.Ordinal))
                {
                    continue;
                }

                names.Add(dataset.Name);
                found ??= dataset;
                (spec.Outputs.Contains(dataset.Name) ? writers : readers).Add(spec.Name);
            }
        }

        if (found is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteStartArray("names");
            foreach (var each in names)
            {
                w.WriteStringValue(each);
            }

            w.WriteEndArray();
            if (found.DefinitionJson.Length > 0)
            {
                w.WriteString("lives", "catalog");
                using var definition = JsonDocument.Parse(found.DefinitionJson);
                if (definition.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
                {
                    w.WriteString("type", type.GetString());
                }

                if (definition.RootElement.TryGetProperty("filepath", out var path) && path.ValueKind == JsonValueKind.String)
                {
                    w.WriteString("filepath", path.GetString());
                }
            }
            else
            {
                w.WriteString("lives", found.Untyped ? "store (parameters)" : "store");
                var bytes = 0L;
                var inMemory = 0;
                var spilled = 0;
                foreach (var each in names)
                {
                    if (store.TryDescribe(each, out var size, out var memory))
                    {
                        bytes += size;
                        _ = memory ? inMemory++ : spilled++;
                    }
                }

                w.WriteString("where", inMemory + spilled == 0 ? "not in the store (released, or not written yet)" : spilled == 0 ? "memory" : inMemory == 0 ? "spilled to disk" : "memory and disk");
                w.WriteNumber("bytes", bytes);
            }

            Strings(w, "writtenBy", writers);
            Strings(w, "readBy", readers);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Strings(Utf8JsonWriter w, string property, List<string> values)
    {
        w.WriteStartArray(property);
        foreach (var value in values.Distinct(StringComparer.Ordinal))
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
