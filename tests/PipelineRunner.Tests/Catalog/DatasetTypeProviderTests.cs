using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Datasets;

namespace PipelineRunner.Tests.Catalog;

/// <summary>
/// File formats that need third-party libraries live in the PipelineRunner.Datasets package (as Kedro's in
/// kedro-datasets); the default registry takes them when the app references the package, and says where they are when not.
/// </summary>
public sealed class DatasetTypeProviderTests
{
    [Theory]
    [InlineData("CsvDataset", typeof(CsvDataset))]
    [InlineData("pandas.CSVDataset", typeof(CsvDataset))]
    [InlineData("kedro_datasets.pandas.ParquetDataset", typeof(ParquetDataset))]
    [InlineData("pickle.PickleDataset", typeof(MessagePackDataset))]
    public void TheDefaultRegistry_HasTheCompanionPackagesFormats_WhenTheAppReferencesIt(string typeName, Type expected)
    {
        var dataset = DatasetTypeRegistry.CreateDefault().Create(new DatasetDefinition("cars", typeName) { FilePath = "data/cars.file" });

        Assert.IsType(expected, dataset);
    }

    [Fact]
    public void AFormatOfTheCompanionPackage_InARegistryWithoutIt_SaysWhichPackageHasIt()
    {
        var registry = new DatasetTypeRegistry();
        registry.Register("TextDataset", d => new PipelineRunner.Catalog.Files.TextDataset(d.GetRequiredFilePath()));

        var error = Assert.Throws<CatalogConfigurationException>(
            () => registry.Create(new DatasetDefinition("cars", "pandas.CSVDataset") { FilePath = "data/cars.csv" }));

        Assert.Equal(
            "Dataset 'cars' has unknown type 'pandas.CSVDataset'. It is in the PipelineRunner.Datasets package: add a reference to it "
            + "(dotnet add package PipelineRunner.Datasets). Known types: TextDataset.",
            error.Message);
    }

    [Fact]
    public void AnUnknownTypeOfNoPackage_ListsTheKnownTypesOnly()
    {
        var error = Assert.Throws<CatalogConfigurationException>(
            () => DatasetTypeRegistry.CreateDefault().Create(new DatasetDefinition("cars", "ExcelDataset") { FilePath = "data/cars.xlsx" }));

        Assert.StartsWith("Dataset 'cars' has unknown type 'ExcelDataset'. Known types: CachedDataset, CsvDataset, ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheProvider_RegistersIntoAnyRegistry()
    {
        var registry = new DatasetTypeRegistry();
        new FileFormatTypes().Register(registry);

        Assert.Equal(
            ["CsvDataset", "MessagePackDataset", "pandas.CSVDataset", "pandas.ParquetDataset", "ParquetDataset", "pickle.PickleDataset"],
            registry.TypeNames);
    }
}
