using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;

namespace PipelineRunner.Tests.Catalog;

/// <summary>Configuration errors are dataset errors; catch-all patterns and the runtime default pattern, as Kedro 1.x.</summary>
public sealed class CatalogErrorsAndPatternsTests
{
    [Fact]
    public void ConfigurationErrors_AreDatasetExceptions_NamingTheDataset()
    {
        var error = Assert.ThrowsAny<DatasetException>(() => CatalogConfiguration.FromYaml("cars:\n  type: MemoryDataset\n  filepath: cars.csv\n"));

        var configuration = Assert.IsType<CatalogConfigurationException>(error);
        Assert.Equal("Dataset 'cars' (MemoryDataset) does not take a 'filepath'.", configuration.Message);
        Assert.Equal("cars", configuration.DatasetName);
    }

    [Theory]
    [InlineData("cars:\n  filepath: cars.csv\n", "cars")]
    [InlineData("cars: data/cars.csv\n", "cars")]
    [InlineData("cars:\n  type: ExcelDataset\n", "cars")]
    [InlineData("cars:\n  type: TextDataset\n  filepath: ''\n", "cars")]
    [InlineData("\"{name}_x\":\n  type: ExcelDataset\n", "{name}_x")]
    [InlineData("\"{name}_x\":\n  type: TextDataset\n  filepath: \"{nme}.txt\"\n", "{name}_x")]
    public void EntryErrors_NameTheEntryAsTheDataset(string yaml, string dataset)
    {
        var error = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(yaml));

        Assert.Equal(dataset, error.DatasetName);
    }

    [Fact]
    public void TwoCatchAllPatterns_AreAnError_NamingBoth()
    {
        const string yaml = """
            "{b}":
              type: MemoryDataset
            "{a}":
              type: MemoryDataset
            "{name}_csv":
              type: MemoryDataset
            """;

        var error = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(yaml));

        Assert.Equal("Multiple catch-all patterns found in the catalog: {a}, {b}. Only one catch-all pattern is allowed, remove the extras.", error.Message);
    }

    [Fact]
    public void ListPatterns_EndsWithTheRuntimeDefaultPattern_OnceEvenWhenTheCatalogDeclaresIt()
    {
        var plain = CatalogConfiguration.FromYaml("\"{name}_csv\":\n  type: MemoryDataset\n\"raw_{name}\":\n  type: MemoryDataset\n");
        var declared = CatalogConfiguration.FromYaml("\"{default}\":\n  type: MemoryDataset\n\"{name}_csv\":\n  type: MemoryDataset\n");
        var userCatchAll = CatalogConfiguration.FromYaml("\"{anything}\":\n  type: MemoryDataset\n");

        Assert.Equal(["raw_{name}", "{name}_csv", "{default}"], plain.ListPatterns());
        Assert.Equal(["{name}_csv", "{default}"], declared.ListPatterns());
        Assert.Equal(["{anything}", "{default}"], userCatchAll.ListPatterns());
        Assert.Equal(["{default}"], new DataCatalog().ListPatterns());
        Assert.Equal("{default}", DataCatalog.DefaultRuntimePattern);

        // Listed only: the runner, not the catalog, provides undeclared datasets.
        Assert.False(plain.Contains("other"));
    }
}
