using PipelineRunner.Pipelines;
using PipelineRunner.Visualization;

namespace PipelineRunner.Tests.Visualization;

/// <summary>The README's Mermaid example is what <c>ToMermaid</c> gives for the quick start's pipeline.</summary>
public sealed class ReadmeMermaidTests
{
    [Fact]
    public void ReadmeMermaidExample_IsTheExportOfTheQuickStartPipeline()
    {
        static double[] Clean(double[] raw) => raw.Where(double.IsFinite).ToArray();
        static (double Mean, double Max) Summarize(double[] values, double scale) => (values.Average() * scale, values.Max() * scale);

        var pipeline = new Pipeline([
            Node.Create(Clean, "raw", "clean", name: "clean", @namespace: "prep"),
            Node.Create(Summarize, new[] { "clean", "params:scale" }, new[] { "mean", "max" }, name: "summarize", tags: ["report"]),
        ]);

        var readme = File.ReadAllText(FindReadme()).ReplaceLineEndings("\n");
        var start = readme.IndexOf("```mermaid\n", StringComparison.Ordinal) + "```mermaid\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        Assert.True(start > "```mermaid\n".Length, "The README has no Mermaid block.");
        Assert.Equal(pipeline.ToMermaid(), readme[start..end]);
    }

    private static string FindReadme()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "PipelineRunner.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md not found above " + AppContext.BaseDirectory);
    }
}
