using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;
using PipelineRunner.Datasets;

namespace PipelineRunner.Tests.Catalog;

/// <summary>File datasets in append mode (Kedro's <c>save_args.mode: a</c>): what a generator node's chunks need.</summary>
public sealed class FileAppendTests : TempDirectoryTest
{
    public sealed record Row(int Id, string Name);

    [Fact]
    public async Task CsvAppend_WritesTheHeaderOnce_AndALoadSeesEveryRow()
    {
        var path = PathOf("out", "rows.csv");
        var dataset = new CsvDataset(path, writeMode: FileWriteMode.Append);

        await dataset.SaveAsync(new List<Row> { new(1, "a"), new(2, "b") });
        await dataset.SaveAsync(new List<Row> { new(3, "c") });

        Assert.Equal(["Id,Name", "1,a", "2,b", "3,c"], File.ReadAllLines(path));
        var rows = Assert.IsType<List<Row>>(await dataset.LoadAsync(typeof(List<Row>)));
        Assert.Equal([new(1, "a"), new(2, "b"), new(3, "c")], rows);
    }

    public sealed record Other(int Id, string Colour);

    [Fact]
    public async Task CsvAppend_WritesFieldsInTheFilesColumnOrder()
    {
        var path = PathOf("rows.csv");
        var dataset = new CsvDataset(path, writeMode: FileWriteMode.Append);

        await dataset.SaveAsync(new List<Dictionary<string, string>> { new() { ["id"] = "1", ["name"] = "a" } });
        await dataset.SaveAsync(new List<Dictionary<string, string>> { new() { ["name"] = "b", ["id"] = "2" }, new() { ["id"] = "3" } });

        Assert.Equal(["id,name", "1,a", "2,b", "3,"], File.ReadAllLines(path));
    }

    [Fact]
    public async Task CsvAppend_OfAColumnTheFileLacks_FailsNamingItAndLeavesTheFile()
    {
        var path = PathOf("rows.csv");
        var dataset = new CsvDataset(path, writeMode: FileWriteMode.Append);
        await dataset.SaveAsync(new List<Row> { new(1, "a") });

        var error = await Assert.ThrowsAsync<DatasetException>(() => dataset.SaveAsync(new List<Other> { new(2, "red") }).AsTask());

        Assert.Contains("cannot append records with column 'Colour' to a file whose header is [Id, Name]", error.Message, StringComparison.Ordinal);
        Assert.Equal(["Id,Name", "1,a"], File.ReadAllLines(path));
    }

    [Fact]
    public async Task CsvOverwrite_IsStillTheDefault()
    {
        var path = PathOf("rows.csv");
        var dataset = new CsvDataset(path);

        await dataset.SaveAsync(new List<Row> { new(1, "a") });
        await dataset.SaveAsync(new List<Row> { new(2, "b") });

        Assert.Equal(FileWriteMode.Overwrite, dataset.WriteMode);
        Assert.Equal(["Id,Name", "2,b"], File.ReadAllLines(path));
    }

    [Fact]
    public async Task FailedAppend_LeavesTheFileAsItWas()
    {
        var path = PathOf("rows.csv");
        var dataset = new CsvDataset(path, writeMode: FileWriteMode.Append);
        await dataset.SaveAsync(new List<Row> { new(1, "a") });
        var before = await File.ReadAllBytesAsync(path);

        var error = await Assert.ThrowsAsync<DatasetException>(() => dataset.SaveAsync(new List<Row?> { new(2, "b"), null }).AsTask());

        Assert.Contains("Failed to append CsvDataset to", error.Message, StringComparison.Ordinal);
        Assert.Contains("record 2 is null", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public void AppendingAndVersioned_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new CsvDataset(PathOf("rows.csv"), version: new DatasetVersion(null, null), writeMode: FileWriteMode.Append));

        Assert.Contains("cannot both append and be versioned", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextAppend_AddsEachSavedString()
    {
        var dataset = new TextDataset(PathOf("log.txt"), FileWriteMode.Append);

        await dataset.SaveAsync("one\n");
        await dataset.SaveAsync("two\n");

        Assert.Equal("one\ntwo\n", await dataset.LoadAsync(typeof(string)));
        Assert.Equal("a", dataset.Describe()["mode"]);
    }

    [Fact]
    public void Catalog_SaveArgsModeA_MakesAnAppendingCsvDataset()
    {
        var catalog = CatalogConfiguration.FromYaml(
            """
            appended:
              type: pandas.CSVDataset
              filepath: a.csv
              save_args:
                mode: a
            replaced:
              type: pandas.CSVDataset
              filepath: w.csv
              save_args:
                mode: w
            """,
            new CatalogLoadOptions { BaseDirectory = Root });

        Assert.Equal(FileWriteMode.Append, Assert.IsType<CsvDataset>(catalog.GetDataset("appended")).WriteMode);
        Assert.Equal(FileWriteMode.Overwrite, Assert.IsType<CsvDataset>(catalog.GetDataset("replaced")).WriteMode);
    }

    [Fact]
    public void Catalog_UnknownMode_IsAnErrorNamingTheDataset()
    {
        var error = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            """
            rows:
              type: pandas.CSVDataset
              filepath: rows.csv
              save_args:
                mode: x
            """,
            new CatalogLoadOptions { BaseDirectory = Root }));

        Assert.Contains("Dataset 'rows'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unsupported 'save_args.mode' 'x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_AppendingAndVersioned_IsAnErrorNamingTheDataset()
    {
        var error = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            """
            rows:
              type: pandas.CSVDataset
              filepath: rows.csv
              versioned: true
              save_args:
                mode: a
            """,
            new CatalogLoadOptions { BaseDirectory = Root }));

        Assert.Contains("Dataset 'rows'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot both append ('save_args.mode: a') and be versioned", error.Message, StringComparison.Ordinal);
    }
}
