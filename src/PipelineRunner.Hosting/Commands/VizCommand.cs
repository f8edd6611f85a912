using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.DependencyInjection;
using PipelineRunner.Pipelines;
using PipelineRunner.Visualization;

namespace PipelineRunner.Hosting.Commands;

/// <summary>
/// <c>viz</c>: a registered pipeline's graph as Mermaid (the default, to standard output), Graphviz DOT, JSON or a
/// standalone HTML page (<see cref="PipelineGraphExport"/>); <c>-o FILE</c> writes it to a file instead.
/// </summary>
internal sealed class VizCommand(CommandContext context)
{
    /// <summary>The accepted <c>--format</c> values, in the order the help lists them.</summary>
    internal static readonly string[] Formats = ["mermaid", "dot", "json", "html"];

    public async Task<int> ExecuteAsync(ParseResult parsed, CommandLineSchema schema, CancellationToken cancellationToken)
    {
        var services = context.Services;
        var name = parsed.GetValue(schema.VizPipeline) ?? PipelineRegistry.DefaultName;
        var file = parsed.GetValue(schema.VizOutput);
        var format = FormatOf(parsed.GetValue(schema.VizFormat), file);
        Pipeline pipeline;
        try
        {
            HostOptions.RequirePipelines(services, "viz");
            pipeline = services.GetRequiredService<PipelineRegistry>().Get(name);
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var options = new PipelineGraphOptions { Title = $"Pipeline '{name}'" };
        if (file is null)
        {
            await pipeline.WriteAsync(context.Output, format, options, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        string path;
        try
        {
            var stream = OutputFile.Create(file, out path);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                await using (writer.ConfigureAwait(false))
                {
                    await pipeline.WriteAsync(writer, format, options, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await context.Error.WriteLineAsync($"error: Cannot write the graph to '{file}' (-o): {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await context.Output.WriteLineAsync(
            $"Wrote the {Formats[(int)format]} graph of pipeline '{name}' ({pipeline.Nodes.Count} nodes) to {path}").ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// The format given with <c>--format</c>; without it, the one the output file's extension names (<c>.mmd</c>,
    /// <c>.mermaid</c>, <c>.dot</c>, <c>.gv</c>, <c>.json</c>, <c>.html</c>, <c>.htm</c>), else Mermaid.
    /// </summary>
    internal static PipelineGraphFormat FormatOf(string? format, string? file)
    {
        if (format is not null)
        {
            return (PipelineGraphFormat)Array.FindIndex(Formats, f => string.Equals(f, format, StringComparison.OrdinalIgnoreCase));
        }

        return Path.GetExtension(file)?.ToLowerInvariant() switch
        {
            ".dot" or ".gv" => PipelineGraphFormat.Dot,
            ".json" => PipelineGraphFormat.Json,
            ".html" or ".htm" => PipelineGraphFormat.Html,
            _ => PipelineGraphFormat.Mermaid,
        };
    }
}
