using System.Text.Json;
using PipelineRunner.Distributed.Dashboard;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Tests.Dashboard;

/// <summary>What the graph page says about a dataset: where it lives, who writes and reads it, never its credentials.</summary>
public sealed class DashboardDatasetsTests
{
    [Fact]
    public void ACatalogDataset_ShowsItsTypeAndPath_NeverItsCredentials_AndATranscodedStoreValueItsSizeAcrossNames()
    {
        using var store = new DatasetStore();
        store.Put("rows@json", new byte[100], 100);
        var definition = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["type"] = "CsvDataset", ["filepath"] = "data/in.csv", ["credentials"] = new Dictionary<string, string> { ["key"] = "TOP-SECRET" },
        });
        var load = new NodeSpec { Name = "load" };
        load.Datasets.Add(new DatasetSpec { Name = "raw", DefinitionJson = definition });
        load.Datasets.Add(new DatasetSpec { Name = "rows@json" });
        load.Outputs.Add("rows@json");
        var use = new NodeSpec { Name = "use" };
        use.Datasets.Add(new DatasetSpec { Name = "rows@pandas" });

        var raw = Describe([load, use], "raw", store);
        Assert.DoesNotContain("TOP-SECRET", raw.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("credentials", raw.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(("catalog", "CsvDataset", "data/in.csv"), (raw.GetProperty("lives").GetString(), raw.GetProperty("type").GetString(), raw.GetProperty("filepath").GetString()));
        Assert.Equal(["load"], raw.GetProperty("readBy").EnumerateArray().Select(e => e.GetString()));

        var rows = Describe([load, use], "rows", store);
        Assert.Equal(("store", "memory", 100), (rows.GetProperty("lives").GetString(), rows.GetProperty("where").GetString(), rows.GetProperty("bytes").GetInt32()));
        Assert.Equal(["rows@json", "rows@pandas"], rows.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["load"], rows.GetProperty("writtenBy").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["use"], rows.GetProperty("readBy").EnumerateArray().Select(e => e.GetString()));
        Assert.Null(DashboardDatasets.Describe([load, use], "row", store)); // no prefix matches
    }

    private static JsonElement Describe(IReadOnlyList<NodeSpec> specs, string name, DatasetStore store)
    {
        using var document = JsonDocument.Parse(DashboardDatasets.Describe(specs, name, store)!);
        return document.RootElement.Clone();
    }
}
