using PipelineRunner.Catalog.Configuration;

namespace PipelineRunner.Tests.Catalog;

/// <summary>conf/base + conf/ENV layering, Kedro's file patterns, duplicate keys and runtime parameters.</summary>
public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string _conf = Path.Combine(Path.GetTempPath(), "pr-conf-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_conf))
        {
            Directory.Delete(_conf, recursive: true);
        }
    }

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(_conf, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private ConfigLoader Loader(string? environment = null, MergeStrategy merge = MergeStrategy.Destructive, string? runtime = null) =>
        new(new ConfigLoaderOptions
        {
            ConfigurationSource = _conf,
            Environment = environment,
            ParameterMergeStrategy = merge,
            RuntimeParameters = ConfigLoader.ParseRuntimeParameters(runtime),
        });

    [Fact]
    public void Environment_OverridesBase_TopLevelKeysForTheCatalog()
    {
        Write("base/catalog.yml", "a:\n  type: JsonDataset\n  filepath: data/a.json\nb:\n  type: TextDataset\n  filepath: data/b.txt\n");
        Write("local/catalog.yml", "a:\n  type: TextDataset\n  filepath: data/a.txt\n");

        var config = Loader().GetCatalogConfiguration();

        Assert.Equal("data/a.txt", ((Dictionary<string, object?>)config["a"]!)["filepath"]);
        Assert.Equal("data/b.txt", ((Dictionary<string, object?>)config["b"]!)["filepath"]);
    }

    [Fact]
    public void Parameters_MergeDestructivelyByDefault_OrSoftlyWhenAsked()
    {
        Write("base/parameters.yml", "model:\n  size: 1\n  depth: 2\nseed: 3\n");
        Write("prod/parameters.yml", "model:\n  size: 10\n");

        var destructive = Loader("prod").GetParameters();
        Assert.Equal(new Dictionary<string, object?> { ["size"] = 10L }, destructive["model"]);
        Assert.Equal(3L, destructive["seed"]);

        var soft = Loader("prod", MergeStrategy.Soft).GetParameters();
        Assert.Equal(new Dictionary<string, object?> { ["size"] = 10L, ["depth"] = 2L }, soft["model"]);
    }

    [Fact]
    public void Files_MatchKedrosPatterns_AtAnyDepth_InYamlAndJson()
    {
        Write("base/catalog.yml", "a:\n  type: MemoryDataset\n");
        Write("base/catalog_extra.json", """{"b": {"type": "MemoryDataset"}}""");
        Write("base/catalogs/more.yaml", "c:\n  type: MemoryDataset\n");
        Write("base/team/catalog.yml", "d:\n  type: MemoryDataset\n");
        Write("base/notes.yml", "e:\n  type: MemoryDataset\n");
        Write("base/.ipynb_checkpoints/catalog-checkpoint.yml", "a:\n  type: MemoryDataset\n"); // hidden: skipped, no duplicate
        Write("base/parameters/model.yml", "p: 1\n");

        Assert.Equal(["a", "b", "c", "d"], Loader().GetCatalogConfiguration().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1L, Loader().GetParameters()["p"]);
    }

    [Fact]
    public void DuplicateKeysInOneEnvironment_AreAnError_NamingBothFiles()
    {
        Write("base/catalog.yml", "a:\n  type: MemoryDataset\n");
        Write("base/catalog_more.yml", "a:\n  type: MemoryDataset\n");

        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetCatalogConfiguration());

        Assert.Equal(
            $"Duplicate keys found in '{Path.Combine(_conf, "base", "catalog.yml")}' and '{Path.Combine(_conf, "base", "catalog_more.yml")}': 'a'. One environment may define a catalog key only once.",
            error.Message);
    }

    [Fact]
    public void MissingFolders_AreErrors_ExceptTheDefaultLocalEnvironment()
    {
        var missingBase = Assert.Throws<CatalogConfigurationException>(() => Loader());
        Assert.Contains($"Configuration folder '{Path.Combine(_conf, "base")}' does not exist", missingBase.Message, StringComparison.Ordinal);

        Write("base/parameters.yml", "x: 1\n");
        Write("prod/parameters.yml", "x: 2\n");
        Assert.Equal(1L, Loader().GetParameters()["x"]); // no conf/local: fine
        var missingEnv = Assert.Throws<CatalogConfigurationException>(() => Loader("staging"));
        Assert.Equal(
            $"Configuration environment 'staging' does not exist: there is no folder '{Path.Combine(_conf, "staging")}'. Environments found: base, prod.",
            missingEnv.Message);
    }

    [Fact]
    public void RuntimeParameters_OverrideKeyByKey_WithTypedValues()
    {
        Write("base/parameters.yml", "model:\n  size: 1\n  name: m\n");

        var parameters = Loader(runtime: "model.size=2.5,model.deep.flag=true,seed=7,label=hello world,none=null").GetParameters();

        Assert.Equal(new Dictionary<string, object?> { ["size"] = 2.5, ["name"] = "m", ["deep"] = new Dictionary<string, object?> { ["flag"] = true } }, parameters["model"]);
        Assert.Equal(7L, parameters["seed"]);
        Assert.Equal("hello world", parameters["label"]);
        Assert.Null(parameters["none"]);
    }

    [Theory]
    [InlineData("seed", "Invalid parameter 'seed': expected key=value")]
    [InlineData("=3", "Invalid parameter '=3': expected key=value")]
    [InlineData("a..b=1", "Invalid parameter key 'a..b': keys are names separated by dots")]
    [InlineData("a=1,a=2", "Invalid parameter 'a=2': 'a' is given more than once.")]
    [InlineData("a=1,a.b=2", "Invalid parameter 'a.b=2': 'a' already has a value, so it cannot also have sub-keys.")]
    [InlineData("a.b.c=1,a.b=2", "Invalid parameter 'a.b=2': 'a.b' already has sub-keys, so it cannot also have a value.")]
    public void RuntimeParameters_Malformed_AreRejected(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ConfigLoader.ParseRuntimeParameters(text));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateCatalog_BuildsDatasetsAndParameters()
    {
        Write("base/catalog.yml", "a:\n  type: JsonDataset\n  filepath: data/a.json\n");
        Write("base/parameters.yml", "x: 1\n");

        var catalog = Loader().CreateCatalog(new CatalogLoadOptions { BaseDirectory = _conf });

        Assert.IsType<PipelineRunner.Catalog.Files.JsonDataset>(catalog.GetDataset("a"));
        Assert.True(catalog.Contains("params:x"));
    }

    [Fact]
    public void RuntimeParameters_OutOfRangeNumbers_StayText()
    {
        var parameters = ConfigLoader.ParseRuntimeParameters("a=1e400,b=infinity,c=2.5");
        Assert.Equal("1e400", parameters["a"]);
        Assert.Equal("infinity", parameters["b"]);
        Assert.Equal(2.5, parameters["c"]);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("..")]
    [InlineData("/tmp")]
    [InlineData("a/b")]
    public void Environments_MustBeFoldersOfTheSource_NotPaths(string environment)
    {
        Write("base/catalog.yml", "");
        var error = Assert.Throws<CatalogConfigurationException>(() => Loader(environment));
        Assert.Equal($"Configuration environment '{environment}' is not a folder name: environments are folders directly under the configuration source, such as 'base', 'local' or 'prod'.", error.Message);
    }

    [Fact]
    public void DeepYaml_IsRefused_NamingTheFile()
    {
        Write("base/parameters.yml", "x: " + new string('[', 10_000) + new string(']', 10_000) + "\n");
        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.Contains("parameters.yml' at line 1", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("nesting is deeper than 64 levels.", error.Message, StringComparison.Ordinal);

        // 60 levels are fine.
        Write("base/parameters.yml", "x: " + new string('[', 60) + "1" + new string(']', 60) + "\n");
        Assert.IsType<List<object?>>(Loader().GetParameters()["x"]);
    }

    [Fact]
    public void YamlAliasBombs_AreRefused_InsteadOfExhaustingMemory()
    {
        // Each level doubles ten times over: 10^9 values from a few hundred bytes.
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            yaml += $"{level}: &{level} [{string.Join(", ", Enumerable.Repeat($"*{previous}", 10))}]\n";
        }

        Write("base/parameters.yml", yaml);
        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.Contains("its aliases expand to more than 1,000,000 values beyond those written in the file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALargeYamlFileWithoutAliases_IsRead()
    {
        Write("base/parameters.yml", "values: [" + string.Join(", ", Enumerable.Range(0, 1_200_000)) + "]\n");
        Assert.Equal(1_200_000, Assert.IsType<List<object?>>(Loader().GetParameters()["values"]).Count);
    }

    [Fact]
    public void YamlNesting_Of64Levels_IsRead_And65AreRefused()
    {
        Write("base/parameters.yml", "x: " + new string('[', 63) + "1" + new string(']', 63) + "\n"); // the root mapping is level 1
        Assert.IsType<List<object?>>(Loader().GetParameters()["x"]);

        Write("base/parameters.yml", "x: " + new string('[', 64) + "1" + new string(']', 64) + "\n");
        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.EndsWith("nesting is deeper than 64 levels.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnreadableFile_IsAConfigurationError_NamingIt()
    {
        Write("base/catalog.yml", "");
        var broken = Path.Combine(_conf, "base", "catalog_broken.yml");
        File.CreateSymbolicLink(broken, Path.Combine(_conf, "nowhere.yml"));
        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetCatalogConfiguration());
        Assert.StartsWith($"Cannot read the catalog file '{broken}':", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKeysInAJsonFile_AreRefused_LikeInYaml()
    {
        Write("base/catalog.json", "{\"x\": {\"type\": \"Bogus\"}, \"x\": {\"type\": \"MemoryDataset\"}}");
        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetCatalogConfiguration());
        Assert.Equal($"Invalid JSON in '{Path.Combine(_conf, "base", "catalog.json")}': Duplicate key 'x' in a JSON object: each key may appear only once.", error.Message);
    }
}
