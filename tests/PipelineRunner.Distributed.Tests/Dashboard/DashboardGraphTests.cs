using PipelineRunner.Distributed.Dashboard;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Tests.Dashboard;

/// <summary>A run's graph page, rebuilt from the run's node specs.</summary>
public sealed class DashboardGraphTests
{
    [Fact]
    public void ThePage_DrawsEveryNodeWithItsNamespace_AndOpensCollapsedByNamespaceFrom2000Nodes()
    {
        var small = DashboardGraph.Html("r", Chain(DashboardGraph.CollapseFrom - 1));
        Assert.Equal(DashboardGraph.CollapseFrom - 1, small.Split("class=\"v task\"").Length - 1);
        Assert.Contains(">ns0.step0000<", small, StringComparison.Ordinal);
        Assert.Contains("class=\"ns\"", small, StringComparison.Ordinal);
        Assert.DoesNotContain("data-collapsed", small, StringComparison.Ordinal);

        Assert.Contains("<svg class=\"pipeline\" data-collapsed=\"top\"", DashboardGraph.Html("r", Chain(DashboardGraph.CollapseFrom)), StringComparison.Ordinal);
    }

    private static List<NodeSpec> Chain(int count)
    {
        var specs = new List<NodeSpec>(count);
        for (var i = 0; i < count; i++)
        {
            var spec = new NodeSpec { Name = $"ns{i / 100}.step{i:D4}" };
            if (i > 0)
            {
                spec.Datasets.Add(new DatasetSpec { Name = $"d{i - 1}" });
                spec.Dependencies.Add(specs[i - 1].Name);
            }

            spec.Datasets.Add(new DatasetSpec { Name = $"d{i}" });
            spec.Outputs.Add($"d{i}");
            specs.Add(spec);
        }

        return specs;
    }
}
