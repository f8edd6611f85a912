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
}
