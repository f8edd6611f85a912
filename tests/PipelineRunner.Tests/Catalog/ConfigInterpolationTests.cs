using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;

namespace PipelineRunner.Tests.Catalog;

/// <summary>OmegaConfigLoader's interpolation: own keys, globals, runtime parameters, and oc.env only in credentials.</summary>
public sealed class ConfigInterpolationTests : TempDirectoryTest
{
    private string Conf => PathOf("conf");

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(Conf, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private ConfigLoader Loader(string? runtime = null, string? environment = null) =>
        new(new ConfigLoaderOptions
        {
            ConfigurationSource = Conf,
            Environment = environment,
            RuntimeParameters = ConfigLoader.ParseRuntimeParameters(runtime),
        });

    private static Dictionary<string, object?> Entry(IReadOnlyDictionary<string, object?> config, string name) =>
        Assert.IsType<Dictionary<string, object?>>(config[name]);

    [Fact]
    public void References_ToOwnKeys_KeepTheirType_AndInterpolateInsideStrings_AcrossFilesOfOneKind()
    {
        Write("base/parameters.yml", """
            model:
              size: ${data.size}
              label: "model-${data.size}-${data.enabled}"
              first: ${data.items[0]}
              sibling: ${.size}
              copy: ${data}
            literal: \${not.a.reference}
            """);
        Write("base/parameters_variables.yml", "data:\n  size: 0.5\n  enabled: true\n  items: [5, 6]\n");

        var parameters = Loader().GetParameters();

        var model = Assert.IsType<Dictionary<string, object?>>(parameters["model"]);
        Assert.Equal(0.5, model["size"]);
        Assert.Equal("model-0.5-True", model["label"]);
        Assert.Equal(5L, model["first"]);
        Assert.Equal(0.5, model["sibling"]);
        var copy = Assert.IsType<Dictionary<string, object?>>(model["copy"]);
        Assert.Equal(true, copy["enabled"]);
        Assert.NotSame(parameters["data"], copy);
        Assert.Equal("${not.a.reference}", parameters["literal"]);
    }

    [Fact]
    public void Catalog_UsesTemplateKeys_Globals_AndRuntimeParameters()
    {
        Write("base/globals.yml", "bucket: data\ntypes:\n  json: JsonDataset\n");
        Write("local/globals.yml", "bucket: local_data\n");
        Write("base/catalog.yml", """
            _versioned: true
            cars:
              type: ${globals:types.json}
              filepath: ${globals:bucket}/${runtime_params:run, latest}/cars.json
              versioned: ${_versioned}
            boats:
              type: ${globals:types.text, TextDataset}
              filepath: ${runtime_params:folder}/boats.txt
            """);

        var catalog = Loader("folder=in").CreateCatalog(new CatalogLoadOptions { BaseDirectory = Root });

        var cars = Assert.IsType<JsonDataset>(catalog.GetDataset("cars"));
        Assert.Equal(PathOf("local_data", "latest", "cars.json"), cars.FilePath);
        Assert.True(cars.IsVersioned);
        Assert.Equal(PathOf("in", "boats.txt"), Assert.IsType<TextDataset>(catalog.GetDataset("boats")).FilePath);
        Assert.Equal("local_data", Loader().GetGlobals()["bucket"]);
    }

    [Fact]
    public void Parameters_SeeRuntimeOverrides_AndRuntimeParametersKeepTheirType()
    {
        Write("base/parameters.yml", "a: 1\nb: ${a}\nseed: ${runtime_params:seed, 42}\nname: ${runtime_params:name, 'null'}\n");

        var overridden = Loader("a=5").GetParameters();
        var defaults = Loader().GetParameters();

        Assert.Equal(5L, overridden["a"]);
        Assert.Equal(5L, overridden["b"]);
        Assert.Equal(1L, defaults["b"]);
        Assert.Equal(42L, defaults["seed"]);
        Assert.Equal("null", defaults["name"]);
        Assert.Equal(7L, Loader("seed=7").GetParameters()["seed"]);
    }

    [Fact]
    public void OcEnv_OutsideCredentials_IsAnError_AsInKedro()
    {
        Write("base/catalog.yml", "cars:\n  type: TextDataset\n  filepath: ${oc.env:HOME}/cars.txt\n");

        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetCatalogConfiguration());

        Assert.Equal(
            $"Cannot resolve '${{oc.env:HOME}}' in '{Path.Combine(Conf, "base", "catalog.yml")}' at 'cars.filepath': oc.env is only allowed in credentials, "
            + "as environment variables may hold secrets; read other values with ${globals:...} or ${runtime_params:...}.",
            error.Message);
    }

    [Fact]
    public void BadReferences_FailInOneLine_NamingTheFileAndTheKey()
    {
        var parameters = Path.Combine(Conf, "base", "parameters.yml");
        Write("base/parameters.yml", "data:\n  size: 1\nmodel:\n  size: ${data.sise}\n");
        var missing = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.Equal($"Cannot resolve '${{data.sise}}' in '{parameters}' at 'model.size': key 'data.sise' not found in the parameters; did you mean 'size'?", missing.Message);

        Write("base/parameters.yml", "a: ${b}\nb: ${a}\n");
        var circular = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.Equal($"Cannot resolve interpolation in '{parameters}' at 'a': 'a' refers to itself through a chain of interpolations.", circular.Message);

        Write("base/parameters.yml", "a: ${globals:nothing}\n");
        var global = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.Equal($"Cannot resolve '${{globals:nothing}}' in '{parameters}' at 'a': globals key 'nothing' not found and no default value provided.", global.Message);

        Write("base/parameters.yml", "a: ${runtime_params:seed}\n");
        var runtime = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.Equal($"Cannot resolve '${{runtime_params:seed}}' in '{parameters}' at 'a': runtime parameter 'seed' not found and no default value provided.", runtime.Message);

        Write("base/parameters.yml", "a: ${now:}\nb: 'x ${unclosed'\n");
        var unsupported = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.StartsWith($"Cannot resolve '${{now:}}' in '{parameters}' at 'a': ", unsupported.Message, StringComparison.Ordinal);

        Write("base/parameters.yml", "b: 'x ${unclosed'\n");
        var unclosed = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.Equal($"Cannot resolve interpolation in '{parameters}' at 'b': an interpolation '${{' is not closed with '}}'.", unclosed.Message);

        Write("base/parameters.yml", "m: {x: 1}\nb: 'x ${m}'\n");
        var container = Assert.Throws<CatalogConfigurationException>(() => Loader().GetParameters());
        Assert.Equal($"Cannot resolve '${{m}}' in '{parameters}' at 'b': it is a mapping, which cannot be part of a longer string.", container.Message);

        Assert.All([missing, circular, global, runtime, unsupported, unclosed, container], e => Assert.DoesNotContain('\n', e.Message));
        Assert.All([missing, circular, global, runtime, unsupported, unclosed, container], e => Assert.IsAssignableFrom<DatasetException>(e));
    }

    [Fact]
    public void Globals_CannotUseRuntimeParametersOrGlobals()
    {
        var globals = Path.Combine(Conf, "base", "globals.yml");
        Write("base/globals.yml", "a: ${runtime_params:x, 1}\n");
        var runtime = Assert.Throws<CatalogConfigurationException>(() => Loader().GetGlobals());
        Assert.Equal($"Cannot resolve '${{runtime_params:x, 1}}' in '{globals}' at 'a': the runtime_params: resolver is not supported for globals.", runtime.Message);

        Write("base/globals.yml", "a: 1\nb: ${a}\nc: ${globals:a}\n");
        var global = Assert.Throws<CatalogConfigurationException>(() => Loader().GetGlobals());
        Assert.Equal($"Cannot resolve '${{globals:a}}' in '{globals}' at 'c': the globals: resolver is not supported in globals themselves.", global.Message);
    }

    [Fact]
    public void References_ResolveWithinOneEnvironment_AsKedro()
    {
        Write("base/catalog.yml", "_folder: data\n");
        Write("local/catalog.yml", "cars:\n  type: TextDataset\n  filepath: ${_folder}/cars.txt\n");

        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetCatalogConfiguration());

        Assert.Equal(
            $"Cannot resolve '${{_folder}}' in '{Path.Combine(Conf, "local", "catalog.yml")}' at 'cars.filepath': key '_folder' not found in the catalog.",
            error.Message);
    }

    [Fact]
    public void CatalogText_ResolvesRuntimeParametersFromTheLoadOptions()
    {
        const string yaml = "_base: data\ncars:\n  type: TextDataset\n  filepath: ${_base}/${runtime_params:day}/cars.txt\n";

        var catalog = CatalogConfiguration.FromYaml(yaml, new CatalogLoadOptions
        {
            BaseDirectory = Root,
            RuntimeParameters = new Dictionary<string, object?> { ["day"] = "monday" },
        });
        var error = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(yaml, new CatalogLoadOptions { BaseDirectory = Root }));

        Assert.Equal(PathOf("data", "monday", "cars.txt"), Assert.IsType<TextDataset>(catalog.GetDataset("cars")).FilePath);
        Assert.Equal(
            "Cannot resolve '${runtime_params:day}' in the catalog YAML at 'cars.filepath': runtime parameter 'day' not found and no default value provided.",
            error.Message);
    }

    [Fact]
    public void TemplateKeys_ServeInterpolation_ButAreNotCredentialsOrGlobals()
    {
        Write("base/globals.yml", "_root: data\nbucket: ${_root}/bucket\n");
        Write("base/credentials.yml", "_shared: {region: eu}\ns3:\n  region: ${_shared.region}\n");

        Assert.Equal(new Dictionary<string, object?> { ["bucket"] = "data/bucket" }, Loader().GetGlobals());
        var credentials = Loader().GetCredentials();
        Assert.Equal(["s3"], credentials.Keys);
        Assert.Equal(new Dictionary<string, object?> { ["region"] = "eu" }, credentials["s3"]);
    }

    [Fact]
    public void JsonCatalogFiles_AreInterpolatedToo_AndErrorsNameTheFile()
    {
        var path = PathOf("catalog.json");
        File.WriteAllText(path, """{ "_root": "data", "cars": { "type": "TextDataset", "filepath": "${_root}/${runtime_params:name}.txt" } }""");

        var error = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromFile(path, new CatalogLoadOptions { BaseDirectory = Root }));
        var catalog = CatalogConfiguration.FromFile(path, new CatalogLoadOptions
        {
            BaseDirectory = Root,
            RuntimeParameters = ConfigLoader.ParseRuntimeParameters("name=cars"),
        });

        Assert.Equal(
            $"Cannot resolve '${{runtime_params:name}}' in '{path}' at 'cars.filepath': runtime parameter 'name' not found and no default value provided.",
            error.Message);
        Assert.Equal(PathOf("data", "cars.txt"), Assert.IsType<TextDataset>(catalog.GetDataset("cars")).FilePath);
    }

    [Fact]
    public void FactoryPatterns_KeepTheirPlaceholders_AfterInterpolation()
    {
        Write("base/globals.yml", "root: data\n");
        Write("base/catalog.yml", "\"{name}_txt\":\n  type: TextDataset\n  filepath: ${globals:root}/{name}.txt\n"
            + "\"{name}_json\":\n  type: JsonDataset\n  filepath: ${globals:json_folder, data/{name}}/${globals:file, '{name}.json'}\n");

        var catalog = Loader().CreateCatalog(new CatalogLoadOptions { BaseDirectory = Root });

        Assert.Equal(PathOf("data", "cars.txt"), Assert.IsType<TextDataset>(catalog.GetDataset("cars_txt")).FilePath);
        Assert.Equal(PathOf("data", "boats", "boats.json"), Assert.IsType<JsonDataset>(catalog.GetDataset("boats_json")).FilePath);
    }
}
