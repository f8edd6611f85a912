using System.Text.Json;

namespace PipelineRunner.Reporting.Internal;

/// <summary>Writes a <see cref="PerformanceReport"/> as JSON with <see cref="Utf8JsonWriter"/> (no reflection).</summary>
internal static class PerformanceJsonWriter
{
    public static void Write(PerformanceReport report, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("runner", report.RunnerName);
        json.WriteString("sessionId", report.SessionId);
        json.WriteString("startedAt", report.StartedAt);
        json.WriteBoolean("succeeded", report.Succeeded);
        if (report.Error is null)
        {
            json.WriteNull("error");
        }
        else
        {
            json.WriteString("error", report.Error);
        }

        json.WriteNumber("wallSeconds", report.WallTime.TotalSeconds);
        json.WriteNumber("nodeSeconds", report.NodeTime.TotalSeconds);
        json.WriteNumber("parallelism", report.Parallelism);
        json.WriteNumber("criticalPathSeconds", report.CriticalPathTime.TotalSeconds);
        json.WriteNumber("bytesLoaded", report.BytesLoaded);
        json.WriteNumber("bytesSaved", report.BytesSaved);
        json.WriteStartArray("criticalPath");
        foreach (var node in report.CriticalPath)
        {
            json.WriteStringValue(node.Name);
        }

        json.WriteEndArray();
        json.WriteStartArray("slowestNodes");
        foreach (var node in report.SlowestNodes)
        {
            json.WriteStringValue(node.Name);
        }

        json.WriteEndArray();
        json.WriteStartArray("nodes");
        foreach (var node in report.Nodes)
        {
            json.WriteStartObject();
            json.WriteString("name", node.Name);
            json.WriteString("outcome", JsonNamingPolicy.CamelCase.ConvertName(node.Outcome.ToString()));
            WriteOptional(json, "location", node.Location);
            json.WriteNumber("startSeconds", node.Start.TotalSeconds);
            json.WriteNumber("wallSeconds", node.WallTime.TotalSeconds);
            json.WriteNumber("queueWaitSeconds", node.QueueWait.TotalSeconds);
            json.WriteNumber("loadSeconds", node.LoadTime.TotalSeconds);
            json.WriteNumber("saveSeconds", node.SaveTime.TotalSeconds);
            WriteOptional(json, "loadBytes", node.LoadBytes);
            WriteOptional(json, "saveBytes", node.SaveBytes);
            json.WriteNumber("attempts", node.Attempts);
            json.WriteBoolean("onCriticalPath", node.OnCriticalPath);
            WriteOptional(json, "error", node.Error);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
