using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Reporting;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The performance report of distributed runs on the local pool: every node with its worker, loads, saves and bytes.</summary>
public sealed class PerformanceReportTests : IAsyncLifetime
{
    private readonly DistributedRunner _runner = new(new DistributedRunnerOptions { LocalWorkers = 2 });

    public Task InitializeAsync() => _runner.StartAsync();

    public async Task DisposeAsync() => await _runner.DisposeAsync();

    [Fact]
    public async Task DistributedRun_Report_HasEveryNode_WithItsWorker_LoadSaveTimes_AndStoreBytes()
    {
        // Four 100 KB values (published to the store, not inline) read by one join.
        List<Node> nodes = [.. Enumerable.Range(0, 4).Select(i => Node.Create((int seed) => { Thread.Sleep(30); return new byte[100_000 + i]; }, "seed", $"part{i}", name: $"make{i}"))];
        nodes.Add(Node.Create((byte[] a, byte[] b, byte[] c, byte[] d) => a.Length + b.Length + c.Length + d.Length, new[] { "part0", "part1", "part2", "part3" }, "total", name: "join"));
        var catalog = new DataCatalog();
        catalog.Add("seed", new MemoryDataset(1));
        var recorder = new PerformanceRecorder();

        var outputs = await _runner.RunAsync(new Pipeline(nodes), catalog, new RunOptions { Performance = recorder });

        Assert.Equal(400_006, outputs["total"]);
        var report = recorder.Report!;
        Assert.True(report.Succeeded);
        Assert.Equal(nameof(DistributedRunner), report.RunnerName);
        Assert.Equal(5, report.Nodes.Count);
        Assert.All(report.Nodes, n =>
        {
            Assert.Equal(NodeOutcome.Completed, n.Outcome);
            Assert.False(string.IsNullOrEmpty(n.Location), n.Name);
            Assert.DoesNotContain("thread", n.Location!, StringComparison.Ordinal); // a worker id, not the driver's thread
            Assert.Equal(1, n.Attempts);
            Assert.True(n.WallTime > TimeSpan.Zero, n.Name);
            Assert.True(n.QueueWait >= TimeSpan.Zero, n.Name);
            Assert.True(n.Start + n.WallTime <= report.WallTime + TimeSpan.FromMilliseconds(50), n.Name);
        });
        var byName = report.Nodes.ToDictionary(n => n.Name);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(byName[$"make{i}"].WallTime >= TimeSpan.FromMilliseconds(25), $"make{i}: {byName[$"make{i}"].WallTime}");
            Assert.True(byName[$"make{i}"].SaveBytes > 100_000, $"make{i}: {byName[$"make{i}"].SaveBytes}"); // serialized size
        }

        var join = byName["join"];
        Assert.True(join.LoadBytes > 400_000, $"join loaded {join.LoadBytes}");
        Assert.True(join.LoadTime > TimeSpan.Zero);
        Assert.True(join.Start >= report.Nodes.Where(n => n.Name != "join").Max(n => n.Start), "join starts after its dependencies");
        Assert.True(report.BytesSaved > 400_000 && report.BytesLoaded > 400_000, $"{report.BytesSaved} saved, {report.BytesLoaded} loaded");
        Assert.Equal("join", report.CriticalPath[^1].Name);
        Assert.Equal(2, report.CriticalPath.Count);
        Assert.True(report.Nodes.Select(n => n.Location).Distinct().Count() >= 1);

        using var html = new MemoryStream();
        await report.WriteHtmlAsync(html);
        var page = System.Text.Encoding.UTF8.GetString(html.ToArray());
        foreach (var worker in report.Nodes.Select(n => n.Location!).Distinct())
        {
            Assert.Contains($">{worker}</text>", page, StringComparison.Ordinal); // a timeline lane per worker
        }
    }

    [Fact]
    public async Task FailedDistributedRun_Report_MarksTheFailureAndItsWorker()
    {
        var pipeline = new Pipeline(
        [
            Node.Create((int x) => x + 1, "seed", "a", name: "ok"),
            Node.Create((int x) => x > 0 ? throw new InvalidOperationException("remote boom") : x, "a", "b", name: "bad"),
            Node.Create((int x) => x, "b", "c", name: "after"),
        ]);
        var catalog = new DataCatalog();
        catalog.Add("seed", new MemoryDataset(1));
        var recorder = new PerformanceRecorder();

        await Assert.ThrowsAsync<NodeExecutionException>(() => _runner.RunAsync(pipeline, catalog, new RunOptions { Performance = recorder }));

        var report = recorder.Report!;
        Assert.False(report.Succeeded);
        var byName = report.Nodes.ToDictionary(n => n.Name);
        Assert.Equal(NodeOutcome.Completed, byName["ok"].Outcome);
        Assert.Equal(NodeOutcome.Failed, byName["bad"].Outcome);
        Assert.Contains("remote boom", byName["bad"].Error, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(byName["bad"].Location));
        Assert.Equal(NodeOutcome.NotRun, byName["after"].Outcome);
    }

    [Fact]
    public async Task ContinuingPastAFailure_TheNodesItKeptFromRunning_AreSkippedInTheReport_AsInProcess()
    {
        var pipeline = new Pipeline(
        [
            Node.Create((int x) => x > 0 ? throw new InvalidOperationException("remote boom") : x, "seed", "b", name: "bad"),
            Node.Create((int x) => x, "b", "c", name: "after"),
            Node.Create((int x) => x + 1, "seed", "d", name: "independent"),
        ]);
        var catalog = new DataCatalog();
        catalog.Add("seed", new MemoryDataset(1));
        var recorder = new PerformanceRecorder();
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 1, FailurePolicy = NodeFailurePolicy.ContinueIndependentNodes });

        var error = await Assert.ThrowsAsync<PipelineRunFailedException>(() => runner.RunAsync(pipeline, catalog, new RunOptions { Performance = recorder }));

        Assert.Equal(["after"], error.SkippedNodes);
        var byName = recorder.Report!.Nodes.ToDictionary(n => n.Name);
        Assert.Equal(NodeOutcome.Skipped, byName["after"].Outcome);
        Assert.Equal(NodeOutcome.Completed, byName["independent"].Outcome);
    }
}
