using System.Text;
using PipelineRunner.Pipelines;
using PipelineRunner.Visualization.Internal;

namespace PipelineRunner.Visualization;

/// <summary>
/// Static views of a pipeline: Mermaid, Graphviz DOT, JSON and a standalone HTML page (see
/// <see cref="PipelineGraphFormat"/> for what each holds). The output depends only on the pipeline, so the same
/// pipeline always exports to the same text.
/// </summary>
public static class PipelineGraphExport
{
    /// <summary>The pipeline as a Mermaid flowchart (<see cref="PipelineGraphFormat.Mermaid"/>).</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>The flowchart, lines ending in <c>\n</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is null.</exception>
    public static string ToMermaid(this Pipeline pipeline) => Export(pipeline, PipelineGraphFormat.Mermaid);

    /// <summary>The pipeline as a Graphviz <c>digraph</c> (<see cref="PipelineGraphFormat.Dot"/>).</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>The DOT text, lines ending in <c>\n</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is null.</exception>
    public static string ToDot(this Pipeline pipeline) => Export(pipeline, PipelineGraphFormat.Dot);

    /// <summary>The pipeline's graph as JSON (<see cref="PipelineGraphFormat.Json"/> documents the shape).</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>The indented JSON document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is null.</exception>
    public static string ToJson(this Pipeline pipeline) => Export(pipeline, PipelineGraphFormat.Json);

    /// <summary>The pipeline as a standalone HTML page with a layered SVG drawing (<see cref="PipelineGraphFormat.Html"/>).</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="options">The page's title; null for the defaults.</param>
    /// <returns>The HTML document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is null.</exception>
    public static string ToHtml(this Pipeline pipeline, PipelineGraphOptions? options = null) => Export(pipeline, PipelineGraphFormat.Html, options);

    /// <summary>The pipeline's graph in <paramref name="format"/>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="format">The format.</param>
    /// <param name="options">Options (the HTML title); null for the defaults.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static string Export(this Pipeline pipeline, PipelineGraphFormat format, PipelineGraphOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, $"Unknown graph format {format}; expected one of {string.Join(", ", Enum.GetNames<PipelineGraphFormat>())}.");
        }

        var model = GraphModel.Build(pipeline);
        if (format == PipelineGraphFormat.Json)
        {
            return Encoding.UTF8.GetString(JsonGraphWriter.Write(model));
        }

        var text = new StringBuilder(256 + 128 * model.Vertices.Count);
        switch (format)
        {
            case PipelineGraphFormat.Mermaid:
                MermaidWriter.Write(model, text);
                break;
            case PipelineGraphFormat.Dot:
                DotWriter.Write(model, text);
                break;
            default: // PipelineGraphFormat.Html, the last one defined
                HtmlGraphWriter.Write(model, GraphLayout.Compute(model), options?.Title ?? "Pipeline", text);
                break;
        }

        return text.ToString();
    }

    /// <summary>Writes the pipeline's graph in <paramref name="format"/> to <paramref name="writer"/>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="writer">Where to write; not flushed or closed.</param>
    /// <param name="format">The format.</param>
    /// <param name="options">Options (the HTML title); null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the text is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> or <paramref name="writer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static async Task WriteAsync(this Pipeline pipeline, TextWriter writer, PipelineGraphFormat format,
        PipelineGraphOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var text = Export(pipeline, format, options);
        await writer.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
    }
}
