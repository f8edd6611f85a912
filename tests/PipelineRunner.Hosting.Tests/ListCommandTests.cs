using Microsoft.Extensions.DependencyInjection;

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
    public async Task ListDatasets_ShowsCatalogEntriesThatNoNodeUses()
    {
        _project.Write("conf/base/catalog_reports.yml", "totl:\n  type: JsonDataset\n  filepath: data/total.json\n");
        var (code, output, error) = await _project.RunAsync(["list", "datasets"]);
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("totl (not used by any node): JsonDataset", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("total (not used", StringComparison.Ordinal) || l.StartsWith("params:", StringComparison.Ordinal) && l.Contains("not used", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListDatasets_ShowsTheCatalogPatterns_EndingWithTheRuntimeDefault()
    {
        _project.Write("conf/base/catalog_factories.yml", "\"{name}_json\":\n  type: JsonDataset\n  filepath: data/{name}.json\n");
        var (code, output, error) = await _project.RunAsync(["list", "datasets"]);
        Assert.True(code == 0, error);
        Assert.EndsWith("Dataset patterns:\n  {name}_json\n  {default}\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_NeverShowsCredentials()
    {
        const string secret = "postgresql://user:s3cr3t@db/sales";
        _project.Write("conf/local/credentials.yml", $"db:\n  con: {secret}\n");
        _project.Write("conf/base/catalog_sql.yml", "orders:\n  type: SqlTable\n  credentials: db\n");
        var registry = PipelineRunner.Catalog.Configuration.DatasetTypeRegistry.CreateDefault();
        string? seen = null;
        registry.Register("SqlTable", definition =>
        {
            definition.EnsureSupportedOptions(PipelineRunner.Catalog.Configuration.DatasetDefinition.CredentialsOption);
            seen = definition.Credentials!["con"] as string;
            return new PipelineRunner.Catalog.MemoryDataset();
        });

        var (code, output, error) = await _project.RunAsync(["list", "datasets"], builder => builder.Services.AddSingleton(registry));

        Assert.True(code == 0, error);
        Assert.Equal(secret, seen);
        Assert.Contains("orders (not used by any node): MemoryDataset", output.Split('\n', StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("s3cr3t", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListPipelines_ShowsOnlyPipelines()
    {
        var (code, output, _) = await _project.RunAsync(["list", "pipelines"]);
        Assert.Equal(0, code);
        Assert.Equal("Pipelines:\n  __default__ (4 nodes)\n  math (4 nodes)\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task AFactoryEntryThatFailsOnlyWhenMatched_IsListedAsInvalid_AndTheCommandFails()
    {
        // The separator comes from the placeholder, so only the matched name ("squares", not one character) shows it is invalid.
        _project.Write("conf/base/catalog_factories.yml", "\"{name}s\":\n  type: CsvDataset\n  filepath: data/{name}.csv\n  load_args: {sep: \"{name}\"}\n");
        var (code, output, error) = await _project.RunAsync(["list", "datasets"]);
        Assert.Equal(2, code);
        Assert.Contains("squares (intermediate): invalid (see the error)", output.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Contains("error: Failed to create dataset 'squares'", error, StringComparison.Ordinal);
        Assert.Contains("has an invalid delimiter 'square'", error, StringComparison.Ordinal);
    }
}
