namespace PipelineRunner.Hosting.Tests;

/// <summary>The <c>list</c> command.</summary>
public sealed class ListCommandTests : IDisposable
{
    private readonly TestProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task List_ShowsPipelinesNodesAndDatasetsWithTheirCatalogTypes()
    {
        var (code, output, error) = await _project.RunAsync(["list"]);
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("__default__ (4 nodes)", lines);
        Assert.Contains("math (4 nodes)", lines);
        Assert.Contains("square: numbers -> squares [calc]", lines);
        Assert.Contains("extra.scale: numbers, params:extra.factor -> extra.scaled", lines);
        Assert.Contains("total (output): JsonDataset", lines);
        Assert.Contains("squares (intermediate): not in the catalog (the runner's default)", lines);
        Assert.Contains("params:count (input): parameter", lines);
    }

    [Fact]
    public async Task ListPipelines_ShowsOnlyPipelines()
    {
        var (code, output, _) = await _project.RunAsync(["list", "pipelines"]);
        Assert.Equal(0, code);
        Assert.Equal("Pipelines:\n  __default__ (4 nodes)\n  math (4 nodes)\n", output.ReplaceLineEndings("\n"));
    }
}
