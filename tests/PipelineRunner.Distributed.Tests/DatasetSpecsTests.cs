using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Tests;

public sealed class DatasetSpecsTests
{
    [Fact]
    public void Definition_CarriesTheBaseDirectory_SoAWorkerResolvesPathsInsideOptionsAsTheDriver()
    {
        var baseDirectory = Path.Combine(Path.GetTempPath(), "project-root");
        var catalog = CatalogConfiguration.FromYaml(
            "parts: {type: PartitionedDataset, path: data/parts, dataset: TextDataset, filename_suffix: .txt}",
            new CatalogLoadOptions { BaseDirectory = baseDirectory });

        var spec = DatasetSpecs.For("parts", catalog.GetDataset("parts"));
        var onWorker = DatasetTypeRegistry.CreateDefault().Create(DatasetSpecs.Parse(spec));

        var partitioned = Assert.IsType<PartitionedDataset>(onWorker);
        Assert.Equal(Path.Combine(baseDirectory, "data", "parts"), partitioned.FolderPath);
        Assert.Equal(".txt", partitioned.FilenameSuffix);
    }

    [Fact]
    public void Definition_CarriesTheCredentials_SoAWorkerBuildsTheDatasetAsTheDriver_WithoutShowingThem()
    {
        var registry = DatasetTypeRegistry.CreateDefault();
        DatasetDefinition? seenOnWorker = null;
        registry.Register("SqlDataset", definition =>
        {
            definition.EnsureSupportedOptions("credentials", "table");
            seenOnWorker = definition;
            return new TableStandIn();
        });
        var catalog = CatalogConfiguration.FromYaml(
            "orders: {type: SqlDataset, table: orders, credentials: db}",
            new CatalogLoadOptions
            {
                Registry = registry,
                Credentials = new Dictionary<string, object?> { ["db"] = new Dictionary<string, object?> { ["con"] = "Server=db;Password=s3cret" } },
            });

        seenOnWorker = null;
        var spec = DatasetSpecs.For("orders", catalog.GetDataset("orders"));
        registry.Create(DatasetSpecs.Parse(spec));

        Assert.Equal("Server=db;Password=s3cret", seenOnWorker!.Credentials!["con"]);
        Assert.Equal("db", seenOnWorker.CredentialsName);
        Assert.DoesNotContain("s3cret", seenOnWorker.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A dataset a worker opens itself (not ephemeral), so the driver sends its definition.</summary>
    private sealed class TableStandIn : PipelineRunner.Catalog.AbstractDataset<int>
    {
        protected override ValueTask<int> LoadCoreAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0);

        protected override ValueTask SaveCoreAsync(int data, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
