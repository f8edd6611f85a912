using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;

namespace PipelineRunner.Tests.Catalog;

public class DataCatalogTests
{
    [Fact]
    public async Task LoadSaveExistsRelease_OnMemoryDataset()
    {
        var catalog = new DataCatalog();
        catalog.Add("x", new MemoryDataset());
        Assert.False(await catalog.ExistsAsync("x"));
        await catalog.SaveAsync("x", 5);
        Assert.True(await catalog.ExistsAsync("x"));
        Assert.Equal(5, await catalog.LoadAsync<int>("x"));
        await catalog.ReleaseAsync("x");
        Assert.False(await catalog.ExistsAsync("x"));
    }

    [Fact]
    public async Task LoadingEmptyMemoryDataset_NamesTheDataset()
    {
        var catalog = new DataCatalog();
        catalog.Add("empty", new MemoryDataset());
        var ex = await Assert.ThrowsAsync<DatasetException>(() => catalog.LoadAsync("empty").AsTask());
        Assert.StartsWith("Failed while loading data from dataset 'empty' (type=MemoryDataset", ex.Message);
        Assert.Contains("Data for MemoryDataset has not been saved yet.", ex.Message);
        Assert.Equal("empty", ex.DatasetName);
    }

    [Fact]
    public async Task UnknownDataset_Throws()
    {
        var ex = await Assert.ThrowsAsync<DatasetNotFoundException>(() => new DataCatalog().LoadAsync("ghost").AsTask());
        Assert.Equal("Dataset 'ghost' not found in the catalog.", ex.Message);
        Assert.False(await new DataCatalog().ExistsAsync("ghost"));
    }

    [Fact]
    public async Task UnknownDataset_SuggestsRegisteredNamesSpelledAlike_AsKedroDoes()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("companies", 1), new("shuttles", 2), new("reviews", 3)]);
        catalog.AddParameters(new Dictionary<string, object?> { ["test_size"] = 0.2 });

        var ex = await Assert.ThrowsAsync<DatasetNotFoundException>(() => catalog.LoadAsync("compnies").AsTask());
        Assert.Equal("Dataset 'compnies' not found in the catalog - did you mean one of these instead: companies", ex.Message);
        Assert.Equal("compnies", ex.DatasetName);
        var save = await Assert.ThrowsAsync<DatasetNotFoundException>(() => catalog.SaveAsync("params:test_sise", 1).AsTask());
        Assert.Equal("Dataset 'params:test_sise' not found in the catalog - did you mean one of these instead: params:test_size, parameters", save.Message);
        Assert.Equal("Dataset 'ghost' not found in the catalog.", Assert.Throws<DatasetNotFoundException>(() => catalog.GetDataset("ghost")).Message);
    }

    [Fact]
    public void AddingTwice_ThrowsUnlessReplacing()
    {
        var catalog = new DataCatalog();
        catalog.Add("x", new MemoryDataset());
        var ex = Assert.Throws<DatasetAlreadyExistsException>(() => catalog.Add("x", new MemoryDataset()));
        Assert.Equal("Dataset 'x' has already been registered.", ex.Message);
        catalog.AddOrReplace("x", new MemoryDataset(1));
    }

    [Fact]
    public async Task Parameters_AreRegisteredKedroStyle()
    {
        var catalog = new DataCatalog();
        catalog.AddParameters(new Dictionary<string, object?>
        {
            ["seed"] = 42L,
            ["model"] = new Dictionary<string, object?> { ["alpha"] = 0.1, ["layers"] = new Dictionary<string, object?> { ["n"] = 3L } },
        });
        Assert.Equal(["parameters", "params:seed", "params:model", "params:model.alpha", "params:model.layers", "params:model.layers.n"], catalog.ListDatasets());
        Assert.Equal(3L, await catalog.LoadAsync("params:model.layers.n"));
        Assert.Equal(0.1, await catalog.LoadAsync<double>("params:model.alpha"));
    }

    [Fact]
    public async Task Factories_CreateDatasetsForMatchingNames_MostSpecificFirst()
    {
        var catalog = new DataCatalog();
        catalog.AddFactory("{default}", (name, _) => new MemoryDataset("catch-all:" + name));
        catalog.AddFactory("{name}_csv", (name, v) => new MemoryDataset("csv:" + v["name"]));
        catalog.AddFactory("{layer}_{name}_csv", (name, v) => new MemoryDataset($"layered:{v["layer"]}/{v["name"]}"));
        Assert.Equal(["{layer}_{name}_csv", "{name}_csv", "{default}"], catalog.ListPatterns());
        Assert.Equal("csv:cars", await catalog.LoadAsync("cars_csv"));
        Assert.Equal("layered:raw/cars", await catalog.LoadAsync("raw_cars_csv"));
        Assert.Equal("catch-all:other", await catalog.LoadAsync("other"));
        Assert.True(catalog.IsRegistered("cars_csv"));
    }

    [Fact]
    public void DatasetPattern_ResolvesTemplatesAndRejectsUnknownPlaceholders()
    {
        var pattern = new DatasetPattern("{name}_csv");
        Assert.True(pattern.TryMatch("boats_csv", out var values));
        Assert.Equal("data/boats.csv", pattern.Resolve("data/{name}.csv", values));
        var ex = Assert.Throws<ArgumentException>(() => pattern.Resolve("{other}.csv", values));
        Assert.Contains("uses placeholder '{other}'", ex.Message);
        Assert.Throws<ArgumentException>(() => new DatasetPattern("no_placeholder"));
    }

    [Fact]
    public async Task ShallowCopy_IsIndependentForRegistration()
    {
        var catalog = new DataCatalog();
        catalog.Add("x", new MemoryDataset(1));
        var copy = catalog.ShallowCopy();
        copy.Add("y", new MemoryDataset(2));
        Assert.False(catalog.Contains("y"));
        Assert.Equal(1, await copy.LoadAsync("x"));
    }

    [Fact]
    public async Task CopyModes()
    {
        var list = new List<int> { 1 };
        var assign = new MemoryDataset(list);
        var copy = new MemoryDataset(list, MemoryCopyMode.Copy);
        var deep = new MemoryDataset(new Holder { Items = [1, 2] }, MemoryCopyMode.DeepCopy);
        Assert.Same(list, await assign.LoadAsync(typeof(object)));
        var copied = (List<int>)(await copy.LoadAsync(typeof(object)))!;
        Assert.NotSame(list, copied);
        Assert.Equal(list, copied);
        var a = (Holder)(await deep.LoadAsync(typeof(object)))!;
        var b = (Holder)(await deep.LoadAsync(typeof(object)))!;
        a.Items.Add(3);
        Assert.Equal([1, 2], b.Items);
    }

    [Fact]
    public async Task AbstractDataset_RejectsWrongTypeNamingBoth()
    {
        IDataset dataset = new IntDataset();
        var ex = await Assert.ThrowsAsync<InvalidCastException>(() => dataset.SaveAsync("text").AsTask());
        Assert.Equal("IntDataset holds Int32 but was given String.", ex.Message);
    }

    public sealed class Holder
    {
        public List<int> Items { get; set; } = [];
    }

    private sealed class IntDataset : AbstractDataset<int>
    {
        protected override ValueTask<int> LoadCoreAsync(CancellationToken cancellationToken) => ValueTask.FromResult(1);

        protected override ValueTask SaveCoreAsync(int data, CancellationToken cancellationToken) => default;
    }

    [Fact]
    public async Task ReleasingAnUnknownName_RaisesTheNotFoundError_AsKedroDoes()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("companies", 1)]);

        var ex = await Assert.ThrowsAsync<DatasetNotFoundException>(() => catalog.ReleaseAsync("compnies").AsTask());

        Assert.Equal("Dataset 'compnies' not found in the catalog - did you mean one of these instead: companies", ex.Message);
        await catalog.ReleaseAsync("companies"); // a known name releases as before
    }

    [Fact]
    public async Task SavingNull_IsAnErrorNamingTheDataset_AlsoWhenANodeReturnsNull()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("report", "old")]);

        var ex = await Assert.ThrowsAsync<DatasetException>(() => catalog.SaveAsync("report", null).AsTask());
        Assert.Equal("Saving 'null' to dataset 'report' is not allowed: a node must return a value for each of its outputs.", ex.Message);
        Assert.Equal("old", await catalog.LoadAsync<string>("report")); // nothing was lost

        var pipeline = new PipelineRunner.Pipelines.Pipeline([PipelineRunner.Pipelines.Node.Create((int x) => (string?)null, "x", "text", name: "returns_null")]);
        var inputs = new DataCatalog();
        inputs.AddValues([new("x", 1)]);
        var failure = await Assert.ThrowsAsync<PipelineRunner.Runners.NodeExecutionException>(() => new PipelineRunner.Runners.SequentialRunner().RunAsync(pipeline, inputs));
        Assert.Equal("returns_null", failure.NodeName);
        Assert.Contains("Saving 'null' to dataset 'text' is not allowed", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryDatasetCopy_OfACollection_DoesNotShareStorageWithTheSource_AndToStringShowsTheDataType()
    {
        var original = new List<int> { 1, 2 };
        var dataset = new MemoryDataset(original, MemoryCopyMode.Copy);

        var copy = (List<int>)(await dataset.LoadAsync(typeof(List<int>)))!;
        copy.Add(3);
        copy[0] = 9;
        var map = new MemoryDataset(new Dictionary<string, int> { ["a"] = 1 }, MemoryCopyMode.Copy);
        var mapCopy = (Dictionary<string, int>)(await map.LoadAsync(typeof(Dictionary<string, int>)))!;
        mapCopy["b"] = 2;

        Assert.Equal([1, 2], original);
        Assert.Equal([1, 2], (List<int>)(await dataset.LoadAsync(typeof(List<int>)))!);
        Assert.Equal(["a"], ((Dictionary<string, int>)(await map.LoadAsync(typeof(Dictionary<string, int>)))!).Keys);
        Assert.Equal("MemoryDataset(data=List`1, copy_mode=Copy)", dataset.ToString());
    }

    [Fact]
    public void Filter_SelectsNamesByRegex_AndDatasetsByType_AsKedrosFilter()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("raw_companies", 1), new("raw_shuttles", 2), new("model", 3)]);
        catalog.Add("report", new PipelineRunner.Catalog.Files.JsonDataset("report.json"));

        Assert.Equal(["raw_companies", "raw_shuttles"], catalog.Filter("^raw_"));
        Assert.Equal(["report"], catalog.Filter(datasetType: typeof(PipelineRunner.Catalog.Files.FileDataset)));
        Assert.Equal(["raw_companies", "raw_shuttles", "model"], catalog.Filter(datasetType: typeof(MemoryDataset)));
        Assert.Equal(["raw_shuttles"], catalog.Filter("shuttle", typeof(MemoryDataset)));
        Assert.StartsWith("'(unclosed' is not a valid regular expression for dataset names: ", Assert.Throws<ArgumentException>(() => catalog.Filter("(unclosed")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListDatasets_KeepsKedrosOrder_RegisteredThenMaterialisedFromPatterns_ReplacedMovesToTheEnd()
    {
        var catalog = new DataCatalog();
        catalog.Add("zeta", new MemoryDataset());
        catalog.AddValues([new("alpha", 1), new("mid", 2)]);
        catalog.AddFactory("{name}_mem", (_, _) => new MemoryDataset());

        Assert.Equal(["zeta", "alpha", "mid"], catalog.ListDatasets());
        Assert.True(catalog.Contains("b_mem"));
        Assert.Equal(["zeta", "alpha", "mid"], catalog.ListDatasets());

        await catalog.SaveAsync("b_mem", 1);
        catalog.GetDataset("a_mem");
        Assert.Equal(["zeta", "alpha", "mid", "b_mem", "a_mem"], catalog.ListDatasets());

        catalog.AddOrReplace("alpha", new MemoryDataset(3));
        Assert.Equal(["zeta", "mid", "b_mem", "a_mem", "alpha"], catalog.ListDatasets());
        Assert.Equal(["zeta", "a_mem", "alpha"], catalog.Filter("a"));

        var copy = catalog.ShallowCopy();
        copy.Add("new", new MemoryDataset());
        Assert.Equal(["zeta", "mid", "b_mem", "a_mem", "alpha", "new"], copy.ListDatasets());
        Assert.Equal(["zeta", "mid", "b_mem", "a_mem", "alpha"], catalog.ListDatasets());
    }

    [Fact]
    public void ReplacingADataset_LogsKedrosWarning_AddingANewOneDoesNot()
    {
        var logger = new ListLogger<DataCatalog>();
        var catalog = new DataCatalog(logger);
        catalog.AddOrReplace("x", new MemoryDataset(1));
        catalog.AddValues([new("y", 2)]);
        Assert.Empty(logger.Entries);

        catalog.AddOrReplace("x", new MemoryDataset(3));
        catalog.AddValues([new("y", 4)]);

        Assert.Equal(
            [(LogLevel.Warning, "Replacing dataset 'x'"), (LogLevel.Warning, "Replacing dataset 'y'")],
            logger.Entries.ToList());

        catalog.ShallowCopy().AddOrReplace("x", new MemoryDataset(5));
        Assert.Equal("Replacing dataset 'x'", logger.Messages[^1]);
        Assert.Equal(3, logger.Entries.Count);
    }

    [Fact]
    public void ARunsWorkingCopy_TakesARunnersStandInsWithoutTheWarning_AndLeavesTheUsersCatalogAlone()
    {
        var logger = new ListLogger<DataCatalog>();
        var catalog = new DataCatalog(logger);
        catalog.AddValues([new("a", 1), new("b", 2)]);
        var standIn = new MemoryDataset(3);

        var workingCopy = catalog.ShallowCopy(additionalCapacity: 0); // what AbstractRunner.RunAsync hands the runner
        workingCopy.AddOrReplace("a", standIn);

        Assert.Same(standIn, workingCopy.GetDataset("a"));
        Assert.NotSame(standIn, catalog.GetDataset("a"));
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void CatalogFromConfiguration_LogsReplacementsToTheLoggerOfItsOptions()
    {
        var logger = new ListLogger<DataCatalog>();
        var catalog = PipelineRunner.Catalog.Configuration.CatalogConfiguration.FromYaml(
            "x: {type: MemoryDataset}",
            new PipelineRunner.Catalog.Configuration.CatalogLoadOptions { Logger = logger });

        catalog.AddOrReplace("x", new MemoryDataset());

        Assert.Equal(["Replacing dataset 'x'"], logger.Messages);
    }

    [Fact]
    public void GetDatasetType_TellsTheTypeWithoutCreatingTheDataset_AsKedrosGetType()
    {
        var created = 0;
        var catalog = new DataCatalog();
        catalog.Add("report", new PipelineRunner.Catalog.Files.JsonDataset("report.json"));
        catalog.AddFactory("{name}_mem", (_, _) => { created++; return new MemoryDataset(); }, typeof(MemoryDataset).FullName);
        catalog.AddFactory("{kind}#{name}", (_, _) => { created++; return new MemoryDataset(); }, "{kind}.TextDataset");
        catalog.AddFactory("{name}_code", (_, _) => { created++; return new MemoryDataset(); });

        Assert.Equal("PipelineRunner.Catalog.Files.JsonDataset", catalog.GetDatasetType("report"));
        Assert.Equal("PipelineRunner.Catalog.MemoryDataset", catalog.GetDatasetType("a_mem"));
        Assert.Equal("text.TextDataset", catalog.GetDatasetType("text#notes"));
        Assert.Null(catalog.GetDatasetType("a_code"));
        Assert.Null(catalog.GetDatasetType("ghost"));
        Assert.Equal(0, created);
        Assert.Equal(["report"], catalog.ListDatasets());
    }

    [Fact]
    public void GetDatasetType_OfCatalogPatterns_IsTheDotNetTypeWhenCheckedAtLoad_ElseTheConfiguredType()
    {
        var catalog = PipelineRunner.Catalog.Configuration.CatalogConfiguration.FromYaml(
            """
            notes: {type: text.TextDataset, filepath: notes.txt}
            "{name}_json": {type: json.JSONDataset, filepath: "{name}.json"}
            "{name}#{kind}": {type: "{kind}", filepath: "{name}.bin"}
            "{name}_mem": {type: MemoryDataset, data: "{name}"}
            """,
            new PipelineRunner.Catalog.Configuration.CatalogLoadOptions { BaseDirectory = Path.GetTempPath() });

        Assert.Equal("PipelineRunner.Catalog.Files.TextDataset", catalog.GetDatasetType("notes"));
        Assert.Equal("PipelineRunner.Catalog.Files.JsonDataset", catalog.GetDatasetType("metrics_json"));
        Assert.Equal("pickle.PickleDataset", catalog.GetDatasetType("model#pickle.PickleDataset"));
        Assert.Equal("MemoryDataset", catalog.GetDatasetType("seed_mem"));
        Assert.Equal(["notes"], catalog.ListDatasets());
    }

    [Fact]
    public async Task GetOrAddDataset_FallsBackToTheRuntimePattern_AfterRegisteredNamesAndFactoryPatterns()
    {
        var catalog = new DataCatalog();
        var registered = new MemoryDataset(1);
        catalog.Add("a", registered);
        catalog.AddFactory("{name}_mem", (_, _) => new MemoryDataset(2));

        Assert.Same(registered, catalog.GetOrAddDataset("a"));
        Assert.Equal(2, await catalog.GetOrAddDataset("b_mem").LoadAsync(typeof(object)));
        Assert.False(catalog.TryGetDataset("ghost", out _));

        var runtime = Assert.IsType<MemoryDataset>(catalog.GetOrAddDataset("ghost"));
        Assert.False(await runtime.ExistsAsync());
        Assert.Same(runtime, catalog.GetDataset("ghost"));
        Assert.Equal(["a", "b_mem", "ghost"], catalog.ListDatasets());

        var custom = new MemoryDataset(7);
        Assert.Same(custom, catalog.GetOrAddDataset("other", name => name == "other" ? custom : throw new InvalidOperationException()));
        var ex = Assert.Throws<DatasetException>(() => catalog.GetOrAddDataset("broken", _ => throw new InvalidOperationException("no store")));
        Assert.Equal("Failed to create dataset 'broken' from the runtime pattern: no store", ex.Message);
        Assert.False(catalog.IsRegistered("broken"));
    }
}
