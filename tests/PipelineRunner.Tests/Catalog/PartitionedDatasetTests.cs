using System.Text.Json.Nodes;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Catalog;

public class PartitionedDatasetTests : TempDirectoryTest
{
    private PartitionedDataset Texts(string suffix = ".txt", bool overwrite = false, Action<string>? created = null) =>
        new(PathOf("parts"), file =>
        {
            created?.Invoke(file);
            return new TextDataset(file);
        })
        { FilenameSuffix = suffix, Overwrite = overwrite };

    private void Write(string relative, string text)
    {
        var path = PathOf(["parts", .. relative.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public async Task Load_MapsRelativePathsWithoutTheSuffix_InKedrosOrder_ToLoadersThatReadOnlyWhenCalled()
    {
        Write("b.txt", "B");
        Write("a.b.txt", "AB");
        Write("a.txt", "A");
        Write("sub/z.txt", "Z");
        Write("notes.md", "not a partition");
        Write(".gitkeep", string.Empty);
        Write(".hidden/x.txt", "in a hidden folder");
        Assert.Equal(["a.b.txt", "a.txt", "b.txt", "notes.md", "sub/z.txt"], Texts(suffix: string.Empty).ListPartitions());
        var opened = new List<string>();
        var dataset = Texts(created: opened.Add);

        var loaders = Assert.IsAssignableFrom<IReadOnlyDictionary<string, Func<CancellationToken, ValueTask<string>>>>(
            await dataset.LoadAsync(typeof(IReadOnlyDictionary<string, Func<CancellationToken, ValueTask<string>>>)));

        Assert.Equal(["a.b", "a", "b", "sub/z"], loaders.Keys);
        Assert.Equal(PathOf("parts", "sub", "z.txt"), opened[^1]);
        File.Delete(PathOf("parts", "b.txt"));
        Assert.Equal("Z", await loaders["sub/z"](CancellationToken.None));
        Assert.Equal("AB", await loaders["a.b"](CancellationToken.None));
        var missing = await Assert.ThrowsAsync<DatasetException>(() => loaders["b"](CancellationToken.None).AsTask());
        Assert.StartsWith($"Failed to load partition 'b' of PartitionedDataset at '{PathOf("parts")}': File not found: ", missing.Message, StringComparison.Ordinal);
        Assert.Equal(["a.b", "a", "sub/z"], dataset.ListPartitions());
    }

    [Fact]
    public async Task Load_AsObject_GivesLoadersOfObject_AndLoadPartitionsAsyncIsTheTypedCall()
    {
        Write("x.json", """{"n": 1}""");
        var dataset = new PartitionedDataset(PathOf("parts"), file => new JsonDataset(file)) { FilenameSuffix = ".json" };

        var untyped = Assert.IsAssignableFrom<IReadOnlyDictionary<string, Func<CancellationToken, ValueTask<object?>>>>(await dataset.LoadAsync(typeof(object)));
        Assert.Equal(1, ((JsonNode)(await untyped["x"](CancellationToken.None))!)["n"]!.GetValue<int>());

        var typed = await dataset.LoadPartitionsAsync<Dictionary<string, int>>();
        Assert.Equal(1, (await typed["x"](CancellationToken.None))["n"]);
    }

    [Fact]
    public async Task Load_OfAMissingOrEmptyFolder_FailsAsKedro_AndExistsIsFalse()
    {
        var dataset = Texts();
        Assert.False(await dataset.ExistsAsync());
        var ex = await Assert.ThrowsAsync<DatasetException>(() => dataset.LoadAsync(typeof(object)).AsTask());
        Assert.Equal($"No partitions found in '{PathOf("parts")}'.", ex.Message);

        Write("other.csv", "x");
        Assert.False(await dataset.ExistsAsync());
        await Assert.ThrowsAsync<DatasetException>(() => dataset.LoadAsync(typeof(object)).AsTask());

        Write("one.txt", "1");
        Assert.True(await dataset.ExistsAsync());
    }

    [Fact]
    public async Task Load_AsAnotherShape_SaysWhatItLoads()
    {
        Write("a.txt", "A");

        var ex = await Assert.ThrowsAsync<DatasetException>(() => Texts().LoadAsync(typeof(Dictionary<string, string>)).AsTask());

        Assert.Equal(
            "PartitionedDataset loads partition id → loader as IReadOnlyDictionary<string, Func<CancellationToken, ValueTask<T>>>, not as Dictionary<String, String>.",
            ex.Message);
    }

    [Fact]
    public async Task Save_WritesEachPartitionThroughItsDataset_ValuesAndLazyProducers_InIdOrder()
    {
        var produced = new List<string>();
        var dataset = Texts();
        var data = new Dictionary<string, object>
        {
            ["c"] = "plain",
            ["b/nested"] = new Func<string>(() => { produced.Add("b/nested"); return "lazy"; }),
            ["a"] = new Func<CancellationToken, ValueTask<string>>(_ => { produced.Add("a"); return ValueTask.FromResult("lazy async"); }),
            ["d"] = new Func<Task<string>>(async () => { await Task.Yield(); produced.Add("d"); return "task"; }),
        };

        await dataset.SaveAsync(data);

        Assert.Equal(["a", "b/nested", "d"], produced);
        Assert.Equal("plain", File.ReadAllText(PathOf("parts", "c.txt")));
        Assert.Equal("lazy", File.ReadAllText(PathOf("parts", "b", "nested.txt")));
        Assert.Equal("lazy async", File.ReadAllText(PathOf("parts", "a.txt")));
        Assert.Equal("task", File.ReadAllText(PathOf("parts", "d.txt")));
        Assert.Equal(["a", "b/nested", "c", "d"], dataset.ListPartitions());
    }

    [Fact]
    public async Task Save_KeepsOtherPartitions_UnlessOverwrite()
    {
        Write("old.txt", "old");
        Write("keep.txt", "kept");
        await Texts().SaveAsync(new Dictionary<string, string> { ["keep"] = "new" });
        Assert.Equal(["keep", "old"], Texts().ListPartitions());
        Assert.Equal("new", File.ReadAllText(PathOf("parts", "keep.txt")));

        await Texts(overwrite: true).SaveAsync(new SortedDictionary<string, string> { ["fresh"] = "f" });

        Assert.Equal(["fresh"], Directory.EnumerateFiles(PathOf("parts")).Select(Path.GetFileNameWithoutExtension));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("")]
    [InlineData("a/./b")]
    public async Task Save_RefusesIdsOutsideTheFolder_BeforeDeletingAnything(string id)
    {
        Write("old.txt", "old");

        var ex = await Assert.ThrowsAsync<DatasetException>(() => Texts(overwrite: true).SaveAsync(new Dictionary<string, string> { [id] = "x" }).AsTask());

        Assert.Equal(
            $"Partition id '{id}' of PartitionedDataset at '{PathOf("parts")}' is not a relative path inside the folder (names separated by '/', no empty, '.' or '..' parts).",
            ex.Message);
        Assert.True(File.Exists(PathOf("parts", "old.txt")));
    }

    [Fact]
    public async Task Save_OfSomethingElseThanAMap_OrANullPartition_OrAFailingProducer_NamesTheFault()
    {
        var parts = PathOf("parts");
        var notMap = await Assert.ThrowsAsync<DatasetException>(() => Texts().SaveAsync("text").AsTask());
        Assert.Equal($"PartitionedDataset at '{parts}' saves a map of partition id → value or lazy producer, not String.", notMap.Message);

        var intKeys = await Assert.ThrowsAsync<DatasetException>(() => Texts().SaveAsync(new Dictionary<int, string> { [1] = "x" }).AsTask());
        Assert.Equal($"PartitionedDataset at '{parts}' needs partition ids that are strings, not Int32.", intKeys.Message);

        var nullValue = await Assert.ThrowsAsync<DatasetException>(() => Texts().SaveAsync(new Dictionary<string, string?> { ["a"] = null }).AsTask());
        Assert.Equal($"Saving 'null' to partition 'a' of PartitionedDataset at '{parts}' is not allowed.", nullValue.Message);

        var failing = await Assert.ThrowsAsync<DatasetException>(() => Texts().SaveAsync(
            new Dictionary<string, Func<string>> { ["a"] = () => throw new InvalidOperationException("no data today") }).AsTask());
        Assert.Equal($"Failed to produce partition 'a' of PartitionedDataset at '{parts}': no data today", failing.Message);

        var wrongType = await Assert.ThrowsAsync<DatasetException>(() => Texts().SaveAsync(new Dictionary<string, int> { ["a"] = 1 }).AsTask());
        Assert.StartsWith($"Failed to save partition 'a' of PartitionedDataset at '{parts}': ", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("TextDataset saves a string, not Int32.", wrongType.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PartitionedDataset", "TextDataset")]
    [InlineData("partitions.PartitionedDataset", "{type: text.TextDataset}")]
    [InlineData("kedro_datasets.partitions.PartitionedDataset", "{type: TextDataset}")]
    public async Task FromCatalog_ReadsPathDatasetSuffixAndOverwrite_AndRunsThroughAPipeline(string type, string inner)
    {
        Write("in/2024-01.txt", "jan");
        Write("in/2024-02.txt", "feb");
        var catalog = CatalogConfiguration.FromYaml(
            $"""
            monthly:
              type: {type}
              path: parts/in
              dataset: {inner}
              filename_suffix: .txt
            shouted:
              type: {type}
              path: parts/out
              dataset: {inner}
              filename_suffix: .txt
              overwrite: true
            """,
            new CatalogLoadOptions { BaseDirectory = Root });
        var monthly = Assert.IsType<PartitionedDataset>(catalog.GetDataset("monthly"));
        Assert.Equal(PathOf("parts", "in"), monthly.FolderPath);
        Assert.Equal(".txt", monthly.FilenameSuffix);
        Assert.False(monthly.Overwrite);
        Assert.True(Assert.IsType<PartitionedDataset>(catalog.GetDataset("shouted")).Overwrite);
        Write("out/stale.txt", "stale");

        var pipeline = new Pipeline([Node.Create(
            (IReadOnlyDictionary<string, Func<CancellationToken, ValueTask<string>>> parts) =>
                parts.ToDictionary(p => p.Key, p => new Func<CancellationToken, ValueTask<string>>(async ct => (await p.Value(ct)).ToUpperInvariant())),
            "monthly",
            "shouted",
            name: "shout")]);
        await new SequentialRunner().RunAsync(pipeline, catalog);

        Assert.Equal(["2024-01", "2024-02"], Assert.IsType<PartitionedDataset>(catalog.GetDataset("shouted")).ListPartitions());
        Assert.Equal("FEB", File.ReadAllText(PathOf("parts", "out", "2024-02.txt")));
    }

    [Theory]
    [InlineData("path: p\n  dataset: {type: TextDataset, filepath: x.txt}",
        "Dataset 'm' (PartitionedDataset) has a 'filepath' in its 'dataset': each partition's file path is the folder's 'path', the partition id and 'filename_suffix'.")]
    [InlineData("dataset: TextDataset",
        "Dataset 'm' (PartitionedDataset) needs a 'path': the folder of the partitions.")]
    [InlineData("path: p",
        "Dataset 'm' (PartitionedDataset) needs a 'dataset': a type name or a mapping with a 'type'.")]
    [InlineData("path: p\n  dataset: [TextDataset]",
        "Dataset 'm' (PartitionedDataset) has an invalid 'dataset': expected a type name or a mapping with a 'type', not a list.")]
    [InlineData("path: p\n  dataset: NoSuchDataset",
        "Dataset 'm' has unknown type 'NoSuchDataset'. Known types: ")]
    [InlineData("path: p\n  dataset: {type: JsonDataset, indent: 2}",
        "Dataset 'm' (JsonDataset) has unsupported option(s) 'indent'; supported: indented, save_args.indent.")]
    [InlineData("path: p\n  dataset: TextDataset\n  versioned: true",
        "Dataset 'm' (PartitionedDataset) does not support versioning.")]
    [InlineData("path: p\n  dataset: {type: TextDataset, versioned: true}",
        "Dataset 'm' (PartitionedDataset) has 'versioned' in its 'dataset': versioned partitions are not supported.")]
    [InlineData("filepath: p\n  dataset: TextDataset",
        "Dataset 'm' (PartitionedDataset) takes a 'path' (the folder of the partitions), not a 'filepath'.")]
    [InlineData("path: s3://bucket/p\n  dataset: TextDataset",
        "Dataset 'm' (PartitionedDataset) has the remote 'path' 's3://bucket/p'; only local paths are supported.")]
    [InlineData("path: p\n  dataset: TextDataset\n  load_args: {maxdepth: 1}",
        "Dataset 'm' (PartitionedDataset) has unsupported option(s) 'load_args'; supported: path, dataset, filename_suffix, overwrite.")]
    [InlineData("path: p\n  dataset: TextDataset\n  overwrite: maybe",
        "Dataset 'm' (PartitionedDataset) has an invalid 'overwrite': ")]
    public void FromCatalog_BadEntries_AreOneSentenceNamingTheDataset(string options, string message)
    {
        var ex = Assert.Throws<CatalogConfigurationException>(
            () => CatalogConfiguration.FromYaml($"m:\n  type: PartitionedDataset\n  {options}", new CatalogLoadOptions { BaseDirectory = Root }));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeAndToString_ShowFolderSuffixAndOverwrite()
    {
        Assert.Equal($"PartitionedDataset(type=PartitionedDataset, path={PathOf("parts")}, filename_suffix=.txt, overwrite=True)", Texts(overwrite: true).ToString());
    }
}
