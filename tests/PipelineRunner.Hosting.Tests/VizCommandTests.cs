using System.Text.Json;
using Microsoft.Extensions.Logging;
using PipelineRunner.Visualization;

namespace PipelineRunner.Hosting.Tests;

/// <summary>The <c>viz</c> command.</summary>
public sealed class VizCommandTests : IDisposable
{
    private readonly TestProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task Viz_WritesTheDefaultPipelineAsMermaid_ToStandardOutput()
    {
        var (code, output, error) = await _project.RunAsync(["viz"]);
        Assert.True(code == 0, error);
        Assert.Equal(string.Empty, error);
        Assert.Equal(TestProject.CreatePipeline().ToMermaid(), output);
        Assert.StartsWith("flowchart TB\n", output, StringComparison.Ordinal);
        Assert.Contains("    subgraph ns_extra[\"extra\"]\n        task_extra_scale[\"extra.scale\"]:::task\n", output, StringComparison.Ordinal);
        Assert.Contains("param_count{{\"params:count\"}}:::parameters", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dot", "digraph pipeline {")]
    [InlineData("json", "{")]
    [InlineData("html", "<!DOCTYPE html>")]
    [InlineData("MERMAID", "flowchart TB")]
    public async Task Viz_Format_ChoosesTheFormat(string format, string start)
    {
        var (code, output, error) = await _project.RunAsync(["viz", "--pipeline", "math", "--format", format]);
        Assert.True(code == 0, error);
        Assert.StartsWith(start, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viz_Output_WritesTheFileInFoldersItCreates_AndPrintsOneLineSayingWhere()
    {
        var path = Path.Combine(_project.Directory, "reports", "graphs", "math.html");
        var (code, output, error) = await _project.RunAsync(["viz", "-p", "math", "-f", "html", "-o", path]);
        Assert.True(code == 0, error);
        Assert.Equal($"Wrote the html graph of pipeline 'math' (4 nodes) to {path}\n", output.ReplaceLineEndings("\n"));
        var html = await File.ReadAllTextAsync(path);
        Assert.Equal(TestProject.CreatePipeline().ToHtml(new PipelineGraphOptions { Title = "Pipeline 'math'" }), html);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("id=\"task_extra_scale\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("graph.json", "json")]
    [InlineData("graph.gv", "dot")]
    [InlineData("graph.htm", "html")]
    [InlineData("graph.mmd", "mermaid")]
    [InlineData("graph.txt", "mermaid")]
    public async Task Viz_Output_WithoutFormat_TakesTheFormatFromTheExtension(string file, string format)
    {
        var path = Path.Combine(_project.Directory, file);
        var (code, output, error) = await _project.RunAsync(["viz", "-o", path]);
        Assert.True(code == 0, error);
        Assert.StartsWith($"Wrote the {format} graph of pipeline '__default__' (4 nodes) to ", output, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(path);
        if (format == "json")
        {
            using var json = JsonDocument.Parse(text);
            Assert.Equal(4, json.RootElement.GetProperty("nodes").EnumerateArray().Count(n => n.GetProperty("type").GetString() == "task"));
        }
        else
        {
            Assert.Equal(TestProject.CreatePipeline().Export(Enum.Parse<PipelineGraphFormat>(format, ignoreCase: true), new PipelineGraphOptions { Title = "Pipeline '__default__'" }), text);
        }
    }

    [Theory]
    [InlineData("viz --pipeline mth", "error: Failed to find the pipeline named 'mth'. It needs to be registered; registered pipelines: [__default__, math]. Did you mean: [math]?")]
    [InlineData("viz --pipeline nope", "error: Failed to find the pipeline named 'nope'. It needs to be registered; registered pipelines: [__default__, math].")]
    [InlineData("viz --format svg", "error: Unknown --format 'svg'. Accepted: mermaid, dot, json, html.")]
    [InlineData("viz --format", "error: Required argument missing for option: '--format'.")]
    [InlineData("viz --colour red", "error: Unrecognized command or argument '--colour'.")]
    public async Task Viz_BadArguments_ExitWith2_OnOneErrorLine(string commandLine, string expected)
    {
        var (code, output, error) = await _project.RunAsync(commandLine.Split(' '));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal(expected, error.ReplaceLineEndings("\n").Split('\n')[0]);
    }

    [Fact]
    public async Task Viz_InAnAppWithoutPipelines_ExitsWith2_SayingSo()
    {
        var builder = PipelineRunnerApp.CreateBuilder(["viz"]);
        builder.Logging.ClearProviders();
        var output = new StringWriter();
        var error = new StringWriter();
        builder.Output = output;
        builder.Error = error;
        await using var app = builder.Build();

        Assert.Equal(2, await app.RunAsync());
        Assert.Equal(string.Empty, output.ToString());
        Assert.Equal(
            "error: This app registers no pipelines, so 'viz' has nothing to do: run it from the app that registers your pipelines ('myapp viz'). This app can run a scheduler ('scheduler').\n",
            error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Viz_OutputThatCannotBeWritten_ExitsWith2_NamingIt()
    {
        var blocker = Path.Combine(_project.Directory, "a-file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var path = Path.Combine(blocker, "graph.html");
        var (code, output, error) = await _project.RunAsync(["viz", "-o", path]);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith($"error: Cannot write the graph to '{path}' (-o): ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }
}
