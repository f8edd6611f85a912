using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;

namespace PipelineRunner.Tests.Catalog;

public class CachedDatasetTests : TempDirectoryTest
{
    private CatalogLoadOptions Options() => new() { BaseDirectory = Root };

    [Fact]
    public async Task Load_ReadsTheWrappedDatasetOnce_ThenServesTheCache()
    {
        var events = new ConcurrentQueue<string>();
        var cached = new CachedDataset(new RecordingDataset("slow", events, initial: "v1", hasInitial: true));

        Assert.Equal("v1", await cached.LoadAsync(typeof(string)));
        Assert.Equal("v1", await cached.LoadAsync(typeof(string)));

        Assert.Equal(["load:slow"], events);
    }

    [Fact]
    public async Task Save_WritesTheWrappedDatasetThenTheCache_SoLoadsDoNotReadIt()
    {
        var events = new ConcurrentQueue<string>();
        var wrapped = new RecordingDataset("slow", events);
        var cached = new CachedDataset(wrapped);
        Assert.False(await cached.ExistsAsync());

        await cached.SaveAsync("v2");

        Assert.Equal("v2", wrapped.Value);
        Assert.True(await cached.ExistsAsync());
        Assert.Equal("v2", await cached.LoadAsync(typeof(object)));
        Assert.Equal(["save:slow"], events);
    }

    [Fact]
    public async Task FailedSave_CachesNothing()
    {
        var cached = new CachedDataset(new TextDataset(PathOf("notes.txt")));

        await Assert.ThrowsAsync<DatasetException>(() => cached.SaveAsync(42).AsTask());

        Assert.False(await cached.ExistsAsync());
    }

    [Fact]
    public async Task Release_EmptiesTheCacheAndReleasesTheWrappedDataset()
    {
        var events = new ConcurrentQueue<string>();
        var cached = new CachedDataset(new RecordingDataset("slow", events, initial: "v1", hasInitial: true));
        await cached.LoadAsync(typeof(object));

        await cached.ReleaseAsync();
        Assert.Equal("v1", await cached.LoadAsync(typeof(object)));

        Assert.Equal(["load:slow", "release:slow", "load:slow"], events);
    }

    [Fact]
    public async Task Exists_ChecksTheCacheThenTheWrappedDataset()
    {
        var path = PathOf("notes.txt");
        var cached = new CachedDataset(new TextDataset(path));
        Assert.False(await cached.ExistsAsync());

        await File.WriteAllTextAsync(path, "on disk");
        Assert.True(await cached.ExistsAsync());
        Assert.Equal("on disk", await cached.LoadAsync(typeof(string)));

        File.Delete(path);
        Assert.True(await cached.ExistsAsync());
        Assert.True(cached.IsEphemeral);
    }

    [Fact]
    public async Task CopyMode_AppliesToTheCache()
    {
        var list = new List<int> { 1 };
        var cached = new CachedDataset(new MemoryDataset(), MemoryCopyMode.Copy);
        await cached.SaveAsync(list);
        list.Add(2);

        Assert.Equal([1], (List<int>)(await cached.LoadAsync(typeof(List<int>)))!);
        Assert.Equal(MemoryCopyMode.Copy, cached.CopyMode);
    }

    [Fact]
    public void DescribeAndToString_ShowTheWrappedDatasetAndTheCache()
    {
        var cached = new CachedDataset(new TextDataset("/data/notes.txt"));

        Assert.Equal("CachedDataset", cached.Describe()["type"]);
        Assert.Equal(
            "CachedDataset(dataset=TextDataset(type=TextDataset, filepath=/data/notes.txt, version=), cache=MemoryDataset(data=<empty>, copy_mode=Assign))",
            cached.ToString());
    }

    [Theory]
    [InlineData("CachedDataset")]
    [InlineData("kedro.io.CachedDataset")]
    [InlineData("io.CachedDataset")]
    public async Task FromCatalog_WrapsTheDatasetItsEntryDescribes_WithItsPathResolved(string type)
    {
        var catalog = CatalogConfiguration.FromYaml(
            $$"""
            notes:
              type: {{type}}
              copy_mode: copy
              dataset:
                type: text.TextDataset
                filepath: data/notes.txt
            """,
            Options());

        var cached = Assert.IsType<CachedDataset>(catalog.GetDataset("notes"));
        Assert.Equal(PathOf("data", "notes.txt"), Assert.IsType<TextDataset>(cached.Dataset).FilePath);
        Assert.Equal(MemoryCopyMode.Copy, cached.CopyMode);
        Assert.Equal("PipelineRunner.Catalog.CachedDataset", catalog.GetDatasetType("notes"));

        await catalog.SaveAsync("notes", "hello");
        Assert.Equal("hello", await File.ReadAllTextAsync(PathOf("data", "notes.txt")));
    }

    [Fact]
    public void FromCatalog_VersionedOnTheWrapper_VersionsTheWrappedDataset()
    {
        var catalog = CatalogConfiguration.FromYaml(
            """
            metrics:
              type: CachedDataset
              versioned: true
              dataset: {type: JsonDataset, filepath: metrics.json}
            """,
            new CatalogLoadOptions { BaseDirectory = Root, LoadVersions = new Dictionary<string, string> { ["metrics"] = "v1" }, SaveVersion = "v2" });

        var json = Assert.IsType<JsonDataset>(Assert.IsType<CachedDataset>(catalog.GetDataset("metrics")).Dataset);
        Assert.Equal(new DatasetVersion("v1", "v2"), json.Version);
    }

    [Theory]
    [InlineData("dataset: {type: JsonDataset, filepath: m.json, versioned: true}",
        "Dataset 'm' (CachedDataset) has 'versioned' in its wrapped 'dataset': cached datasets should specify that they are versioned in the 'CachedDataset', not in the wrapped dataset.")]
    [InlineData("dataset: JsonDataset",
        "Dataset 'm' (CachedDataset) has an invalid 'dataset': expected a mapping with the wrapped dataset's 'type', not the string 'JsonDataset'.")]
    [InlineData("copy_mode: copy",
        "Dataset 'm' (CachedDataset) needs a 'dataset': a mapping with the wrapped dataset's 'type'.")]
    [InlineData("dataset: {filepath: m.json}",
        "Dataset 'm' (CachedDataset) has a 'dataset' without a 'type': expected a mapping with the wrapped dataset's 'type'.")]
    [InlineData("dataset: {type: NoSuchDataset}",
        "Dataset 'm' has unknown type 'NoSuchDataset'. Known types: ")]
    [InlineData("dataset: {type: JsonDataset, filepath: m.json, sep: ','}",
        "Dataset 'm' (JsonDataset) has unsupported option(s) 'sep'; supported: indented, save_args.indent.")]
    [InlineData("filepath: m.json\n  dataset: {type: JsonDataset, filepath: m.json}",
        "Dataset 'm' (CachedDataset) does not take a 'filepath'; give it to the wrapped dataset under 'dataset'.")]
    [InlineData("dataset: {type: JsonDataset, filepath: m.json}\n  copy_mode: sometimes",
        "Dataset 'm' (CachedDataset) has an invalid 'copy_mode' 'sometimes'; expected assign, copy or deepcopy.")]
    public void FromCatalog_BadEntries_AreOneSentenceNamingTheDataset(string options, string message)
    {
        var ex = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml($"m:\n  type: CachedDataset\n  {options}", Options()));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }
}
