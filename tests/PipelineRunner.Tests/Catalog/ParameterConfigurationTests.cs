using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;

namespace PipelineRunner.Tests.Catalog;

public class ParameterConfigurationTests : TempDirectoryTest
{
    [Fact]
    public void FromYaml_TypesScalarsLikeYaml12()
    {
        const string yaml = """
            quoted: "123"
            single: 'true'
            integer: 123
            negative: -7
            hex: 0x1F
            decimal: 1.5
            exponent: 1e3
            infinity: -.inf
            flag: true
            off: False
            nothing: ~
            empty:
            word: hello
            tagged: !!str 42
            block: |
              42
            list: [1, two, 3.0]
            nested:
              a: {b: 2}
            _template: dropped
            """;

        var parameters = ParameterConfiguration.FromYaml(yaml);

        Assert.Equal("123", parameters["quoted"]);
        Assert.Equal("true", parameters["single"]);
        Assert.Equal(123L, parameters["integer"]);
        Assert.Equal(-7L, parameters["negative"]);
        Assert.Equal(31L, parameters["hex"]);
        Assert.Equal(1.5, parameters["decimal"]);
        Assert.Equal(1000.0, parameters["exponent"]);
        Assert.Equal(double.NegativeInfinity, parameters["infinity"]);
        Assert.Equal(true, parameters["flag"]);
        Assert.Equal(false, parameters["off"]);
        Assert.Null(parameters["nothing"]);
        Assert.Null(parameters["empty"]);
        Assert.Equal("hello", parameters["word"]);
        Assert.Equal("42", parameters["tagged"]);
        Assert.Equal("42\n", parameters["block"]);
        Assert.Equal(new List<object?> { 1L, "two", 3.0 }, parameters["list"]);
        var nested = Assert.IsType<Dictionary<string, object?>>(parameters["nested"]);
        Assert.Equal(2L, Assert.IsType<Dictionary<string, object?>>(nested["a"])["b"]);
        Assert.False(parameters.ContainsKey("_template"));
    }

    [Fact]
    public void FromJson_NormalizesTheSameWay()
    {
        var parameters = ParameterConfiguration.FromJson("""{"s": "123", "i": 123, "d": 1.5, "b": true, "n": null, "l": [1, "x"], "m": {"k": 2}}""");

        Assert.Equal("123", parameters["s"]);
        Assert.Equal(123L, parameters["i"]);
        Assert.Equal(1.5, parameters["d"]);
        Assert.Equal(true, parameters["b"]);
        Assert.Null(parameters["n"]);
        Assert.Equal(new List<object?> { 1L, "x" }, parameters["l"]);
        Assert.Equal(new Dictionary<string, object?> { ["k"] = 2L }, parameters["m"]);
    }

    [Fact]
    public async Task FromFile_ReadsByExtension()
    {
        var path = PathOf("parameters.yaml");
        await File.WriteAllTextAsync(path, "model:\n  alpha: 0.1\n");

        var parameters = await ParameterConfiguration.FromFileAsync(path);

        Assert.Equal(new Dictionary<string, object?> { ["alpha"] = 0.1 }, parameters["model"]);
        Assert.Equal(parameters["model"], ParameterConfiguration.FromFile(path)["model"]);
        var ex = Assert.Throws<CatalogConfigurationException>(() => ParameterConfiguration.FromYaml("a: 1\nb: 2\na: 3\n"));
        Assert.Equal("Invalid YAML in parameters YAML at line 3, column 1: Duplicate key a", ex.Message);
    }

    [Fact]
    public void Merge_IsDeepWithOverridesWinningAndListsReplaced()
    {
        var baseParameters = ParameterConfiguration.FromYaml("""
            seed: 1
            model:
              alpha: 0.1
              layers: [64, 32]
              name: base
              optimizer: {name: adam, lr: 0.01}
            """);
        var local = ParameterConfiguration.FromYaml("""
            model:
              alpha: 0.5
              layers: [8]
              optimizer: {lr: 0.001}
            extra: true
            """);

        var merged = ParameterConfiguration.Merge(baseParameters, local);

        Assert.Equal(1L, merged["seed"]);
        Assert.Equal(true, merged["extra"]);
        var model = Assert.IsType<Dictionary<string, object?>>(merged["model"]);
        Assert.Equal(0.5, model["alpha"]);
        Assert.Equal(new List<object?> { 8L }, model["layers"]);
        Assert.Equal("base", model["name"]);
        Assert.Equal(new Dictionary<string, object?> { ["name"] = "adam", ["lr"] = 0.001 }, model["optimizer"]);
        Assert.Equal(0.1, ((Dictionary<string, object?>)baseParameters["model"]!)["alpha"]);
    }

    [Fact]
    public async Task AddParameters_ExposesNestedValuesAsParams()
    {
        var parameters = ParameterConfiguration.Merge(
            ParameterConfiguration.FromYaml("model:\n  alpha: 0.1\n  depth: 3\n"),
            ParameterConfiguration.FromYaml("model:\n  alpha: 0.5\n"));
        var catalog = CatalogConfiguration.FromYaml("out:\n  type: MemoryDataset\n");

        catalog.AddParameters(parameters);

        Assert.Equal(0.5, await catalog.LoadAsync("params:model.alpha"));
        Assert.Equal(3, await catalog.LoadAsync<int>("params:model.depth"));
        Assert.Equal(new Dictionary<string, object?> { ["alpha"] = 0.5, ["depth"] = 3L }, await catalog.LoadAsync("params:model"));
        Assert.Same(parameters, await catalog.LoadAsync("parameters"));
    }
}
