using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;

namespace PipelineRunner.Tests.Catalog;

/// <summary>Kedro's versioned saves: an existing version is an error, and mismatched save and load versions warn.</summary>
public sealed class FileDatasetVersioningTests : TempDirectoryTest
{
    private const string Warning = "This is strongly discouraged due to inconsistencies it may cause between 'save' and 'load' operations. "
        + "Please refrain from setting exact load version for intermediate datasets where possible to avoid this warning.";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 5, 1, 12, 30, 15, 123, TimeSpan.Zero));

    /// <summary>Hands out one shared logger.</summary>
    private sealed class ListLoggerFactory : ILoggerFactory
    {
        public ListLogger<object> Logger { get; } = new();

        public List<string> Categories { get; } = [];

        public ILogger CreateLogger(string categoryName)
        {
            Categories.Add(categoryName);
            return Logger;
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task SavingAnExistingVersion_ThrowsVersionExists_NamingTheVersionAndPath()
    {
        var path = PathOf("model.txt");
        var dataset = new TextDataset(path, new DatasetVersion(SaveVersion: "v1"), _time);
        await dataset.SaveAsync("first");

        var error = await Assert.ThrowsAsync<DatasetVersionExistsException>(() => dataset.SaveAsync("second").AsTask());

        Assert.Equal("v1", error.Version);
        Assert.Equal(Path.Combine(path, "v1", "model.txt"), error.SavePath);
        Assert.Equal($"Save path '{error.SavePath}' for TextDataset(filepath={path}) must not exist if versioning is enabled: version 'v1' was already saved.", error.Message);
        Assert.Equal("first", await File.ReadAllTextAsync(error.SavePath));
    }

    [Fact]
    public async Task SavingAnExistingVersion_ThroughTheCatalog_NamesTheDataset()
    {
        var catalog = CatalogConfiguration.FromYaml(
            "model:\n  type: TextDataset\n  filepath: model.txt\n  versioned: true\n",
            new CatalogLoadOptions { BaseDirectory = Root, SaveVersion = "v1" });
        await catalog.SaveAsync("model", "first");

        var error = await Assert.ThrowsAsync<DatasetException>(() => catalog.SaveAsync("model", "second").AsTask());

        Assert.Equal("model", error.DatasetName);
        Assert.StartsWith("Failed while saving data to dataset 'model'", error.Message, StringComparison.Ordinal);
        Assert.Equal("v1", Assert.IsType<DatasetVersionExistsException>(error.InnerException).Version);
    }

    [Fact]
    public async Task SaveVersionOtherThanThePinnedLoadVersion_LogsKedrosWarning()
    {
        var path = PathOf("model.txt");
        var logger = new ListLogger<object>();
        var dataset = new TextDataset(path, new DatasetVersion(LoadVersion: "2020-01-01T00.00.00.000Z"), _time) { Logger = logger };

        await dataset.SaveAsync("data");

        var (level, message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Equal(
            $"Save version '2024-05-01T12.30.15.123Z' did not match load version '2020-01-01T00.00.00.000Z' for {dataset}. {Warning}",
            message);
        Assert.Contains("version=Version(load=2020-01-01T00.00.00.000Z, save=None)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveVersionOlderThanTheLatest_Warns_AndAMatchingSaveDoesNot()
    {
        var path = PathOf("model.txt");
        var logger = new ListLogger<object>();
        await new TextDataset(path, new DatasetVersion(SaveVersion: "2025-01-01T00.00.00.000Z")).SaveAsync("newer");
        var latest = new TextDataset(path, new DatasetVersion(), _time) { Logger = logger };
        var older = new TextDataset(path, new DatasetVersion(SaveVersion: "2024-01-01T00.00.00.000Z")) { Logger = logger };
        var matching = new TextDataset(path, new DatasetVersion(LoadVersion: "2026-01-01T00.00.00.000Z", SaveVersion: "2026-01-01T00.00.00.000Z")) { Logger = logger };

        await older.SaveAsync("older");
        Assert.Equal(
            $"Save version '2024-01-01T00.00.00.000Z' did not match load version '2025-01-01T00.00.00.000Z' for {older}. {Warning}",
            Assert.Single(logger.Messages));

        await matching.SaveAsync("pinned both");
        _time.Advance(TimeSpan.FromDays(1000));
        await latest.SaveAsync("latest");
        Assert.Single(logger.Messages);
    }

    [Fact]
    public async Task DatasetsFromConfiguration_LogThroughTheLoadOptionsLoggerFactory()
    {
        var factory = new ListLoggerFactory();
        var catalog = CatalogConfiguration.FromYaml(
            "model:\n  type: TextDataset\n  filepath: model.txt\n  versioned: true\n",
            new CatalogLoadOptions
            {
                BaseDirectory = Root,
                LoadVersions = new Dictionary<string, string> { ["model"] = "2020-01-01T00.00.00.000Z" },
                SaveVersion = "2024-05-01T00.00.00.000Z",
                LoggerFactory = factory,
            });

        await catalog.SaveAsync("model", "data");

        Assert.Equal([typeof(DataCatalog).FullName!, typeof(TextDataset).FullName!], factory.Categories); // the catalog logs through it too
        Assert.StartsWith(
            "Save version '2024-05-01T00.00.00.000Z' did not match load version '2020-01-01T00.00.00.000Z' for TextDataset(",
            Assert.Single(factory.Logger.Messages),
            StringComparison.Ordinal);
    }
}
