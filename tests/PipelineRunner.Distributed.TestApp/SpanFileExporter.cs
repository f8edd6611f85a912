using System.Diagnostics;
using OpenTelemetry;

namespace PipelineRunner.Distributed.TestApp;

/// <summary>Writes each finished span as one line: trace id, span id, parent span id, name, then tags as key=value.</summary>
internal sealed class SpanFileExporter(string path) : BaseExporter<Activity>
{
    private readonly Lock _gate = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (_gate)
        {
            using var writer = File.AppendText(path);
            foreach (var span in batch)
            {
                var tags = string.Join(' ', span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
                writer.WriteLine($"{span.TraceId} {span.SpanId} {span.ParentSpanId} {span.DisplayName} {tags}");
            }
        }

        return ExportResult.Success;
    }
}
