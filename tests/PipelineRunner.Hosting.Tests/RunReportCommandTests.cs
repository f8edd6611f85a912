using System.Text.Json;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Hosting.Tests;

/// <summary><c>run --report FILE</c>: the performance report written as a standalone HTML page (or JSON), also for a failed run.</summary>
[Collection(LiveLine.Collection)]
public sealed class RunReportCommandTests : IDisposable
{
    private readonly TestProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task RunReport_WritesAStandaloneHtmlReport_AndSaysWhereInOneLine()
    {
        var (code, output, error) = await _project.RunAsync(["run", "--report", Path.Combine(_project.Directory, "reports", "run.html")]);

        Assert.True(code == 0, error);
        var path = Path.Combine(_project.Directory, "reports", "run.html");
        var line = Assert.Single(output.Split('\n'), l => l.Contains("performance report", StringComparison.Ordinal));
        Assert.Matches(@"^Wrote the performance report \(4 nodes, \d+\.\d\d s\) to .*run\.html$", line.TrimEnd('\r'));
        Assert.EndsWith(path, line.TrimEnd('\r'), StringComparison.Ordinal);
        var page = await File.ReadAllTextAsync(path);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        foreach (var part in new[] { "id=\"summary\"", "id=\"slowest\"", "id=\"critical-path\"", "<svg class=\"timeline\"", "make_numbers", "square", "total", "extra.scale", "SequentialRunner" })
        {
            Assert.Contains(part, page, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", page.Replace("xmlns=\"http://www.w3.org/2000/svg\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunReport_ToAJsonFile_WritesJson_WithFileDatasetSizes()
    {
        var (code, _, error) = await _project.RunAsync(["run", "--runner", "thread", "--report", Path.Combine(_project.Directory, "run.json")]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_project.Directory, "run.json")));
        var nodes = json.RootElement.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("name").GetString()!);
        Assert.Equal(4, nodes.Count);
        Assert.Equal("ThreadRunner", json.RootElement.GetProperty("runner").GetString());
        // make_numbers saves numbers.json: its size is the file's; square reads it.
        var fileSize = new FileInfo(Path.Combine(_project.Directory, "data", "numbers.json")).Length;
        Assert.Equal(fileSize, nodes["make_numbers"].GetProperty("saveBytes").GetInt64());
        Assert.Equal(fileSize, nodes["square"].GetProperty("loadBytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, nodes["square"].GetProperty("saveBytes").ValueKind); // a memory dataset: unknown
        Assert.All(nodes.Values, n => Assert.StartsWith("thread ", n.GetProperty("location").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunReport_OfAFailedRun_IsWritten_WithTheFailureMarked()
    {
        var failing = new Pipeline([
            Node.Create((long count) => count > 0 ? throw new InvalidOperationException("no numbers today") : new long[0], "params:count", "numbers", name: "make_numbers"),
            Node.Create((long[] numbers) => numbers.Sum(), "numbers", "total", name: "total"),
        ]);

        var (code, _, error) = await _project.RunAsync(["run", "--report", Path.Combine(_project.Directory, "failed.html")], pipeline: failing);

        Assert.Equal(1, code);
        Assert.Contains("Pipeline '__default__' failed:", error, StringComparison.Ordinal);
        Assert.Contains("Wrote the performance report (2 nodes,", error, StringComparison.Ordinal);
        var page = await File.ReadAllTextAsync(Path.Combine(_project.Directory, "failed.html"));
        Assert.Contains("<span class=\"failed\">failed</span>", page, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: no numbers today", page, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"not-run\"><td>total", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunReport_OfADistributedRun_NamesTheWorkers()
    {
        var (code, _, error) = await _project.RunAsync(["run", "--runner", "distributed", "--workers", "2", "--report", Path.Combine(_project.Directory, "dist.json")]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_project.Directory, "dist.json")));
        Assert.Equal("DistributedRunner", json.RootElement.GetProperty("runner").GetString());
        var nodes = json.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(4, nodes.Count);
        Assert.All(nodes, n =>
        {
            Assert.Equal("completed", n.GetProperty("outcome").GetString());
            Assert.DoesNotContain("thread", n.GetProperty("location").GetString(), StringComparison.Ordinal);
        });
    }
}
