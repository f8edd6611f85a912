using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Pipelines;
using PipelineRunner.Pipelines.Internal;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Pipelines;

public sealed record SplitOptions(int Seed, double TestSize);

public class ValueConverterTests
{
    private static (bool Converted, object? Value, string? Problem) Convert(object? value, Type target)
    {
        var converted = ValueConverter.TryConvert(value, target, out var result, out var problem);
        return (converted, result, problem);
    }

    [Theory]
    [InlineData(2.5, typeof(int), "2.5 is not a whole number, so it does not convert to Int32")]
    [InlineData(-0.5, typeof(long), "-0.5 is not a whole number, so it does not convert to Int64")]
    [InlineData(2.5, typeof(int?), "2.5 is not a whole number, so it does not convert to Nullable<Int32>")]
    [InlineData(1.25f, typeof(short), "1.25 is not a whole number, so it does not convert to Int16")]
    [InlineData(double.NaN, typeof(int), "NaN is not a whole number, so it does not convert to Int32")]
    public void NumbersWithAFraction_DoNotConvertToWholeNumberTypes(object value, Type target, string problem) =>
        Assert.Equal((false, (object?)value, problem), Convert(value, target));

    [Fact]
    public void DecimalFractionsAreRefusedToo_WhileWholeNumbersAndRecordsStillConvert_AndOtherFailuresKeepTheirMessages()
    {
        Assert.Equal((false, (object?)0.5m, (string?)"0.5 is not a whole number, so it does not convert to Byte"), Convert(0.5m, typeof(byte)));

        Assert.Equal((true, (object?)2, (string?)null), Convert(2.0, typeof(int)));
        Assert.Equal((true, (object?)3, (string?)null), Convert(3L, typeof(int)));
        Assert.Equal((true, (object?)7m, (string?)null), Convert(7L, typeof(decimal)));
        Assert.Equal((true, (object?)2.5, (string?)null), Convert(2.5m, typeof(double)));
        Assert.Equal((true, (object?)4L, (string?)null), Convert(4m, typeof(long?)));
        Assert.Equal("converting Double to Int32 failed: Value was either too large or too small for an Int32.", Convert(1e20, typeof(int)).Problem);
        Assert.Equal("converting Int64 to Int32 failed: Value was either too large or too small for an Int32.", Convert(5_000_000_000L, typeof(int)).Problem);
        Assert.Equal("converting String to Int32 failed: The input string '2.5' was not in a correct format.", Convert("2.5", typeof(int)).Problem);
        Assert.Equal("converting String to Double failed: The input string 'abc' was not in a correct format.", Convert("abc", typeof(double)).Problem);

        // Configuration trees bind to records through JSON, which refuses fractions for whole-number members as well.
        var tree = new Dictionary<string, object?> { ["seed"] = 2.5, ["test_size"] = 0.2 };
        var (converted, _, problem) = Convert(tree, typeof(SplitOptions));
        Assert.False(converted);
        Assert.StartsWith("converting Dictionary<String, Object> to SplitOptions failed at 'Seed': The JSON value could not be converted to", problem, StringComparison.Ordinal);

        tree["seed"] = 3L;
        Assert.Equal(new SplitOptions(3, 0.2), Convert(tree, typeof(SplitOptions)).Value);
    }

    [Fact]
    public void AParameterTreeThatDoesNotFitARecord_NamesTheMember_WithoutJsonReaderPositions()
    {
        var (converted, _, problem) = Convert(new Dictionary<string, object?> { ["seed"] = "abc", ["test_size"] = 0.2 }, typeof(SplitOptions));

        Assert.False(converted);
        Assert.StartsWith("converting Dictionary<String, Object> to SplitOptions failed at 'Seed': ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Path:", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task YamlParameterWithAFraction_FailsTheNodeReadingItAsInt_NamingNodeParameterAndValue()
    {
        var catalog = new DataCatalog();
        catalog.AddParameters(ParameterConfiguration.FromYaml("seed: 2.5\n"));
        var ran = false;
        var pipeline = new Pipeline([Node.Create((int seed) => ran = seed > 0, "params:seed", "out", name: "shuffle")]);

        var ex = await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(pipeline, catalog));

        Assert.Contains("Node 'shuffle' cannot take dataset 'params:seed' as its input of type Int32: 2.5 is not a whole number, so it does not convert to Int32.", ex.Message, StringComparison.Ordinal);
        Assert.False(ran);
    }
}
