using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests;

/// <summary>The README's quick start, verbatim, so the documentation cannot rot.</summary>
public class ReadmeQuickStartTests
{
    [Fact]
    public async Task QuickStart_ProducesTheDocumentedOutput()
    {
        static double[] Clean(double[] raw) => raw.Where(double.IsFinite).ToArray();
        static (double Mean, double Max) Summarize(double[] values, double scale) => (values.Average() * scale, values.Max() * scale);

        var pipeline = new Pipeline([
            Node.Create(Clean, "raw", "clean", name: "clean"),
            Node.Create(Summarize, new[] { "clean", "params:scale" }, new[] { "mean", "max" }, name: "summarize", tags: ["report"]),
        ]);

        var catalog = new DataCatalog();
        catalog.AddValues([new("raw", new[] { 1.0, double.NaN, 3.0 })]);
        catalog.AddParameters(new Dictionary<string, object?> { ["scale"] = 10.0 });

        var outputs = await new SequentialRunner().RunAsync(pipeline, catalog);
        Assert.Equal("20 30", $"{outputs["mean"]} {outputs["max"]}");
    }
}
