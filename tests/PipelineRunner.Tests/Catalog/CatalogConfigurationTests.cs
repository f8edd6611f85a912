using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;
using PipelineRunner.Datasets;

namespace PipelineRunner.Tests.Catalog;

/// <summary>A user-defined dataset type for registry tests: holds a greeting built from its options.</summary>
public sealed class GreetingDataset(string greeting) : IDataset
{
    public string Greeting { get; } = greeting;

    public bool IsEphemeral => true;

    public ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default) => ValueTask.FromResult<object?>(Greeting);

    public ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default) => default;

    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => default;

    public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?> { ["type"] = nameof(GreetingDataset) };
}

public class CatalogConfigurationTests : TempDirectoryTest
{
    private CatalogLoadOptions Options(TimeProvider? time = null) => new() { BaseDirectory = Root, TimeProvider = time };

    private static T Get<T>(DataCatalog catalog, string name)
        where T : IDataset => Assert.IsType<T>(catalog.GetDataset(name));

    [Fact]
    public async Task FromYaml_CreatesTypedDatasetsWithResolvedPathsVersioningAndLoadArgs()
    {
        const string yaml = """
            # Kedro-style catalog
            _csv: &csv
              type: pandas.CSVDataset
              load_args:
                sep: ";"
            companies:
              <<: *csv
              filepath: data/01_raw/companies.csv
            headerless:
              type: CsvDataset
              filepath: data/01_raw/headerless.csv
              load_args: {header: null}
            notes:
              type: text.TextDataset
              filepath: /abs/notes.txt
            model:
              type: pickle.PickleDataset
              filepath: data/06_models/model.msgpack
              versioned: true
            metrics:
              type: json.JSONDataset
              filepath: data/08_reporting/metrics.json
              save_args: {indent: 2}
            features:
              type: pandas.ParquetDataset
              filepath: data/04_feature/features.parquet
            scratch:
              type: io.MemoryDataset
              copy_mode: deepcopy
            seeded:
              type: MemoryDataset
              data: [1, 2]
            """;

        var catalog = CatalogConfiguration.FromYaml(yaml, Options());

        Assert.Equal(["companies", "headerless", "notes", "model", "metrics", "features", "scratch", "seeded"], catalog.ListDatasets());
        var companies = Get<CsvDataset>(catalog, "companies");
        Assert.Equal(Path.Combine(Root, "data", "01_raw", "companies.csv"), companies.FilePath);
        Assert.Equal(';', companies.Delimiter);
        Assert.True(companies.HasHeader);
        Assert.False(companies.IsVersioned);
        Assert.False(Get<CsvDataset>(catalog, "headerless").HasHeader);
        Assert.Equal(Path.GetFullPath("/abs/notes.txt"), Get<TextDataset>(catalog, "notes").FilePath);
        var model = Get<MessagePackDataset>(catalog, "model");
        Assert.True(model.IsVersioned);
        Assert.Equal(new DatasetVersion(), model.Version);
        Assert.True(Get<JsonDataset>(catalog, "metrics").Indented);
        Assert.Equal(Path.Combine(Root, "data", "04_feature", "features.parquet"), Get<ParquetDataset>(catalog, "features").FilePath);
        Assert.Equal(MemoryCopyMode.DeepCopy, Get<MemoryDataset>(catalog, "scratch").CopyMode);
        Assert.Equal(new List<object?> { 1L, 2L }, await catalog.LoadAsync("seeded"));

        Directory.CreateDirectory(PathOf("data", "01_raw"));
        await File.WriteAllTextAsync(companies.FilePath, "name;employees\nAcme, Inc.;12\n");
        var rows = Assert.IsType<List<Dictionary<string, string>>>(await catalog.LoadAsync("companies"));
        Assert.Equal(new Dictionary<string, string> { ["name"] = "Acme, Inc.", ["employees"] = "12" }, Assert.Single(rows));
    }

    [Fact]
    public async Task FromYaml_VersionedDatasetsUseTheTimeProviderAndPinnedVersions()
    {
        const string yaml = """
            model:
              type: json.JSONDataset
              filepath: models/model.json
              versioned: true
            """;
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 3, 4, 5, 6, 7, 890, TimeSpan.Zero));
        var catalog = CatalogConfiguration.FromYaml(yaml, Options(time));

        await catalog.SaveAsync("model", new Dictionary<string, int> { ["depth"] = 3 });
        time.Advance(TimeSpan.FromMinutes(1));
        await catalog.SaveAsync("model", new Dictionary<string, int> { ["depth"] = 4 });

        Assert.True(File.Exists(PathOf("models", "model.json", "2024-03-04T05.06.07.890Z", "model.json")));
        Assert.Equal(4, (await catalog.LoadAsync<Dictionary<string, int>>("model"))["depth"]);
        var pinned = CatalogConfiguration.FromYaml(yaml, new CatalogLoadOptions
        {
            BaseDirectory = Root,
            LoadVersions = new Dictionary<string, string> { ["model"] = "2024-03-04T05.06.07.890Z" },
        });
        Assert.Equal(3, (await pinned.LoadAsync<Dictionary<string, int>>("model"))["depth"]);

        var ex = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(yaml, new CatalogLoadOptions
        {
            LoadVersions = new Dictionary<string, string> { ["modle"] = "x" },
        }));
        Assert.Equal("'load_versions' names dataset(s) not in the catalog: modle. Did you mean: [model]?", ex.Message);
    }

    [Fact]
    public void FromJson_CreatesTheSameDatasets()
    {
        const string json = """
            {
              "cars": { "type": "CsvDataset", "filepath": "data/cars.csv", "delimiter": "|", "versioned": true },
              "_template": { "type": "nope" },
              // comments and trailing commas are allowed
              "report": { "type": "TextDataset", "filepath": "out/report.txt" },
            }
            """;

        var catalog = CatalogConfiguration.FromJson(json, Options());

        Assert.Equal(["cars", "report"], catalog.ListDatasets());
        var cars = Get<CsvDataset>(catalog, "cars");
        Assert.Equal('|', cars.Delimiter);
        Assert.True(cars.IsVersioned);
        Assert.Equal(Path.Combine(Root, "out", "report.txt"), Get<TextDataset>(catalog, "report").FilePath);
    }

    [Fact]
    public async Task FromFile_ReadsYamlAndJsonByExtension()
    {
        var yamlPath = PathOf("catalog.yml");
        await File.WriteAllTextAsync(yamlPath, "a:\n  type: MemoryDataset\n");
        var jsonPath = PathOf("catalog.json");
        await File.WriteAllTextAsync(jsonPath, """{"b": {"type": "MemoryDataset"}}""");
        var txtPath = PathOf("catalog.txt");

        Assert.Equal(["a"], CatalogConfiguration.FromFile(yamlPath).ListDatasets());
        Assert.Equal(["b"], (await CatalogConfiguration.FromFileAsync(jsonPath)).ListDatasets());
        var ex = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromFile(txtPath));
        Assert.Equal($"Cannot read catalog file '{txtPath}': expected a .yml, .yaml or .json extension, not '.txt'.", ex.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => CatalogConfiguration.FromFile(PathOf("nope.yaml")));
        Assert.Equal($"The catalog file was not found: '{PathOf("nope.yaml")}'.", missing.Message);
    }

    [Fact]
    public void FactoryPatterns_ResolvePlaceholdersAndPreferTheMostSpecific()
    {
        const string yaml = """
            "{default}":
              type: MemoryDataset
            "{name}_csv":
              type: pandas.CSVDataset
              filepath: data/{name}.csv
              load_args: {sep: "{name}"}
            "raw_{name}_csv":
              type: pandas.CSVDataset
              filepath: data/01_raw/{name}.csv
            explicit_csv:
              type: TextDataset
              filepath: explicit.txt
            """;

        var catalog = CatalogConfiguration.FromYaml(yaml, Options());

        Assert.Equal(["raw_{name}_csv", "{name}_csv", "{default}"], catalog.ListPatterns());
        var cars = Get<CsvDataset>(catalog, "c_csv");
        Assert.Equal(Path.Combine(Root, "data", "c.csv"), cars.FilePath);
        Assert.Equal('c', cars.Delimiter);
        Assert.Equal(Path.Combine(Root, "data", "01_raw", "boats.csv"), Get<CsvDataset>(catalog, "raw_boats_csv").FilePath);
        Assert.IsType<TextDataset>(catalog.GetDataset("explicit_csv"));
        Assert.IsType<MemoryDataset>(catalog.GetDataset("anything_else"));
    }

    [Fact]
    public void FactoryPatterns_WithUnknownPlaceholdersOrTypesFailWhenLoaded()
    {
        var placeholder = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "\"{name}_csv\":\n  type: CsvDataset\n  filepath: data/{nme}.csv\n", Options()));
        var type = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "\"{name}_xls\":\n  type: pandas.ExcelDataset\n  filepath: data/{name}.xlsx\n", Options()));

        Assert.Equal(
            "Catalog entry '{name}_csv' is not a valid dataset factory: Dataset factory '{name}_csv' uses placeholder '{nme}' in its configuration, but the pattern has only [name].",
            placeholder.Message);
        Assert.StartsWith("Dataset '{name}_xls' has unknown type 'pandas.ExcelDataset'. Known types: ", type.Message, StringComparison.Ordinal);

        // Options are checked when the catalog loads too, not when a run first matches the pattern.
        var option = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "\"{name}_json\":\n  type: JsonDataset\n  filepath: data/{name}.json\n  indentd: true\n", Options()));
        Assert.StartsWith("Dataset '{name}_json' (JsonDataset) has unsupported option(s) 'indentd'", option.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownType_ListsTheKnownTypes()
    {
        var ex = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "cars:\n  type: pandas.ExcelDataset\n  filepath: cars.xlsx\n", Options()));

        Assert.Equal(
            "Dataset 'cars' has unknown type 'pandas.ExcelDataset'. Known types: CachedDataset, CsvDataset, io.CachedDataset, io.MemoryDataset, json.JSONDataset, JsonDataset, "
            + "MemoryDataset, MessagePackDataset, pandas.CSVDataset, pandas.ParquetDataset, ParquetDataset, PartitionedDataset, partitions.PartitionedDataset, pickle.PickleDataset, text.TextDataset, TextDataset.",
            ex.Message);
    }

    [Fact]
    public void InvalidEntries_NameTheDataset()
    {
        var missingType = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml("cars:\n  filepath: cars.csv\n"));
        var notMapping = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml("cars: data/cars.csv\n"));
        var badOption = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "cars:\n  type: pandas.CSVDataset\n  filepath: cars.csv\n  load_args: {sep: ',', encoding: utf-8}\n"));
        var noPath = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml("cars:\n  type: CsvDataset\n"));
        var badVersioned = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "cars:\n  type: CsvDataset\n  filepath: c.csv\n  versioned: 'yes'\n"));

        Assert.Equal("Catalog entry 'cars' is missing the required 'type'.", missingType.Message);
        Assert.Equal("Catalog entry 'cars' must be a mapping with a 'type', not the string 'data/cars.csv'.", notMapping.Message);
        Assert.StartsWith(
            "Dataset 'cars' (pandas.CSVDataset) has unsupported option(s) 'load_args.encoding'; supported: delimiter, has_header, load_args.sep,",
            badOption.Message,
            StringComparison.Ordinal);
        Assert.Equal("Dataset 'cars' (CsvDataset) needs a 'filepath'.", noPath.Message);
        Assert.Equal("Catalog entry 'cars' has an invalid 'versioned': expected true or false, not the string 'yes'.", badVersioned.Message);

        var delimiters = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "cars:\n  type: pandas.CSVDataset\n  filepath: c.csv\n  load_args: {sep: ';'}\n  save_args: {sep: ','}\n"));
        Assert.Equal("Dataset 'cars' (pandas.CSVDataset) has conflicting delimiters (load_args.sep ';', save_args.sep ','); it reads and writes with one delimiter.", delimiters.Message);
        var headers = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "cars:\n  type: pandas.CSVDataset\n  filepath: c.csv\n  load_args: {header: null}\n  save_args: {header: true}\n"));
        Assert.Equal("Dataset 'cars' (pandas.CSVDataset) has conflicting options 'load_args.header' and 'save_args.header'; it reads and writes with one header setting.", headers.Message);
        var indent = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "cars:\n  type: JsonDataset\n  filepath: c.json\n  indented: false\n  save_args: {indent: 4}\n"));
        Assert.Equal("Dataset 'cars' (JsonDataset) has conflicting options 'indented: false' and 'save_args.indent: 4'; give one of them.", indent.Message);

        var emptyPath = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml("cars:\n  type: CsvDataset\n  filepath: ''\n"));
        Assert.Equal("Catalog entry 'cars' has an empty 'filepath'.", emptyPath.Message);
        foreach (var reserved in new[] { "parameters", "params:rate" })
        {
            var error = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml($"\"{reserved}\":\n  type: MemoryDataset\n"));
            Assert.Equal($"Catalog entry '{reserved}' uses a name reserved for parameters; parameters come from parameters files (or --params), not from the catalog.", error.Message);
        }
    }

    [Fact]
    public void YamlSyntaxErrors_GiveTheLine()
    {
        var scanner = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "cars:\n  type: CsvDataset\n  filepath: a: b\n"));
        var unclosed = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "cars:\n  type: CsvDataset\n  filepath: [unclosed\nboats:\n  type: CsvDataset\n"));
        var notMappingRoot = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml("- a\n- b\n"));

        Assert.Equal(
            "Invalid YAML in catalog YAML at line 3, column 14: While scanning a plain scalar value, found invalid mapping.",
            scanner.Message);
        Assert.StartsWith("Invalid YAML in catalog YAML near line 3, column ", unclosed.Message, StringComparison.Ordinal);
        Assert.Equal("The catalog in catalog YAML must be a mapping at the top level, not a list.", notMappingRoot.Message);
    }

    [Fact]
    public void JsonSyntaxErrors_GiveTheLine()
    {
        var ex = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromJson("{\n  \"a\": {\"type\": \"MemoryDataset\"\n  \"b\": 1\n}"));

        Assert.StartsWith("Invalid JSON in catalog JSON at line 3, column ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_CanBeExtendedWithUserTypes()
    {
        var registry = DatasetTypeRegistry.CreateDefault();
        registry.Register("my_project.GreetingDataset", definition =>
        {
            definition.EnsureSupportedOptions("greeting", "options.shout");
            var greeting = definition.GetOption("greeting", "hello") + " " + definition.Name;
            return new GreetingDataset(definition.GetOption("options.shout", false) ? greeting.ToUpperInvariant() : greeting);
        });
        const string yaml = """
            world:
              type: My_Project.GreetingDataset
              greeting: hi
              options: {shout: true}
            moon:
              type: my_project.GreetingDataset
            typo:
              type: my_project.GreetingDataset
              greting: hi
            """;

        var ex = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(yaml, new CatalogLoadOptions { Registry = registry }));
        var catalog = CatalogConfiguration.FromYaml(yaml.Split("typo:")[0], new CatalogLoadOptions { Registry = registry });

        Assert.Equal("Dataset 'typo' (my_project.GreetingDataset) has unsupported option(s) 'greting'; supported: greeting, options.shout.", ex.Message);
        Assert.Equal("HI WORLD", await catalog.LoadAsync("world"));
        Assert.Equal("hello moon", await catalog.LoadAsync("moon"));
        Assert.True(registry.Contains("kedro_datasets.pandas.CSVDataset"));
        Assert.True(registry.Contains("PANDAS.csvdataset"));
        Assert.False(DatasetTypeRegistry.CreateDefault().Contains("my_project.GreetingDataset"));
    }

    [Fact]
    public void Registry_WrapsFactoryFailuresWithTheDatasetName()
    {
        var registry = new DatasetTypeRegistry();
        registry.Register("Broken", _ => throw new InvalidOperationException("no connection"));

        var ex = Assert.Throws<CatalogConfigurationException>(() => registry.Create(new DatasetDefinition("db", "Broken")));

        Assert.Equal("Dataset 'db' (Broken) could not be created: no connection", ex.Message);
        Assert.Equal(["Broken"], registry.TypeNames);
    }

    [Fact]
    public async Task FromDictionary_AcceptsTreesBuiltInCode()
    {
        var config = new Dictionary<string, object?>
        {
            ["out"] = new Dictionary<string, object> { ["type"] = "TextDataset", ["filepath"] = "out.txt" },
            ["mem"] = new Dictionary<string, object?> { ["type"] = "MemoryDataset", ["copy_mode"] = "copy" },
        };

        var catalog = CatalogConfiguration.FromDictionary(config, Options());
        await catalog.SaveAsync("out", "written");

        Assert.Equal("written", await File.ReadAllTextAsync(PathOf("out.txt")));
        Assert.Equal(MemoryCopyMode.Copy, Get<MemoryDataset>(catalog, "mem").CopyMode);
    }
}
