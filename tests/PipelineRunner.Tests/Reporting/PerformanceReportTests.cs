using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Reporting;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Reporting;

/// <summary>The performance report of in-process runs: per-node figures on a fake clock, the critical path, failures, size.</summary>
public sealed class PerformanceReportTests
{
    /// <summary>A dataset whose loads and saves take a known time on a fake clock and that knows its size in bytes.</summary>
    private sealed class TimedDataset(FakeTimeProvider time, TimeSpan load, TimeSpan save, long bytes, object? value = null) : IDataset, IDatasetByteCount
    {
        private object? _value = value;

        public bool IsEphemeral => false;

        public long? LastLoadedBytes { get; private set; }

        public long? LastSavedBytes { get; private set; }

        public ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
        {
            time.Advance(load);
            LastLoadedBytes = bytes;
            return ValueTask.FromResult(_value);
        }

        public ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
        {
            time.Advance(save);
            _value = data;
            LastSavedBytes = bytes;
            return default;
        }

        public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

        public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => default;

        public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?>();
    }

    private static Node Sleeper(FakeTimeProvider time, double seconds, string input, string output, string name) =>
        Node.Create((int x) => { time.Advance(TimeSpan.FromSeconds(seconds)); return x + 1; }, input, output, name: name);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public async Task SequentialRun_OnAFakeClock_ReportsEachNodesWallTimeQueueWaitLoadSaveAndBytes()
    {
        var time = new FakeTimeProvider();
        var pipeline = new Pipeline(
        [
            Sleeper(time, 2, "raw", "a_out", "a"),
            Sleeper(time, 3, "a_out", "b_out", "b"),
            Sleeper(time, 1, "a_out", "c_out", "c"),
            Node.Create((int b, int c) => { time.Advance(S(1)); return b + c; }, new[] { "b_out", "c_out" }, "d_out", name: "d"),
        ]);
        var catalog = new DataCatalog();
        catalog.Add("raw", new TimedDataset(time, load: S(1), save: TimeSpan.Zero, bytes: 100, value: 1));
        catalog.Add("a_out", new TimedDataset(time, load: S(1), save: S(0.5), bytes: 50));
        var recorder = new PerformanceRecorder();

        await new SequentialRunner(new RunnerOptions { TimeProvider = time }).RunAsync(pipeline, catalog, new RunOptions { Performance = recorder });

        var report = recorder.Report!;
        Assert.True(report.Succeeded);
        Assert.Equal("SequentialRunner", report.RunnerName);
        Assert.Equal(S(10.5), report.WallTime);
        Assert.Equal(S(10.5), report.NodeTime);
        Assert.Equal(1.0, report.Parallelism, 6);
        var nodes = report.Nodes.ToDictionary(n => n.Name);
        Assert.Equal(["a", "b", "c", "d"], report.Nodes.Select(n => n.Name));

        // a: loads raw (1 s, 100 bytes), runs 2 s, saves a_out (0.5 s, 50 bytes).
        Assert.Equal((S(0), S(3.5), S(0), S(1), S(0.5), 100L, 50L), (nodes["a"].Start, nodes["a"].WallTime, nodes["a"].QueueWait, nodes["a"].LoadTime, nodes["a"].SaveTime, nodes["a"].LoadBytes, nodes["a"].SaveBytes));
        // b: ready when a ended (3.5 s), starts at once; loads a_out (1 s); saves to memory (no bytes known).
        Assert.Equal((S(3.5), S(4), S(0), S(1), (long?)50, (long?)null), (nodes["b"].Start, nodes["b"].WallTime, nodes["b"].QueueWait, nodes["b"].LoadTime, nodes["b"].LoadBytes, nodes["b"].SaveBytes));
        // c: ready at 3.5 s too, but one slot: it waits for b (4 s).
        Assert.Equal((S(7.5), S(2), S(4)), (nodes["c"].Start, nodes["c"].WallTime, nodes["c"].QueueWait));
        // d: ready when c ended; memory inputs, no bytes.
        Assert.Equal((S(9.5), S(1), S(0), (long?)null), (nodes["d"].Start, nodes["d"].WallTime, nodes["d"].QueueWait, nodes["d"].LoadBytes));
        Assert.All(report.Nodes, n => Assert.Equal((NodeOutcome.Completed, 1), (n.Outcome, n.Attempts)));
        Assert.All(report.Nodes, n => Assert.StartsWith("thread ", n.Location, StringComparison.Ordinal));

        // The critical path: a → b → d (3.5 + 4 + 1), not a → c → d.
        Assert.Equal(["a", "b", "d"], report.CriticalPath.Select(n => n.Name));
        Assert.Equal(S(8.5), report.CriticalPathTime);
        Assert.False(nodes["c"].OnCriticalPath);
        Assert.Equal(["b", "a", "c", "d"], report.SlowestNodes.Select(n => n.Name));
        Assert.Equal(200, report.BytesLoaded); // raw once, a_out twice
        Assert.Equal(50, report.BytesSaved);
    }

    [Fact]
    public void CriticalPath_OfAKnownDag_IsTheChainWhoseWallTimesSumLongest()
    {
        // x1 → x2 → x3 (1 s each) and y1 → y2 (5 s, 0.5 s), joined by z (0.25 s); a lone w (4 s).
        var pipeline = new Pipeline(
        [
            Node.Create((int v) => v, "in", "x1", name: "x1"),
            Node.Create((int v) => v, "x1", "x2", name: "x2"),
            Node.Create((int v) => v, "x2", "x3", name: "x3"),
            Node.Create((int v) => v, "in", "y1", name: "y1"),
            Node.Create((int v) => v, "y1", "y2", name: "y2"),
            Node.Create((int a, int b) => a + b, new[] { "x3", "y2" }, "z", name: "z"),
            Node.Create((int v) => v, "in", "w", name: "w"),
        ]);
        var walls = new Dictionary<string, double> { ["x1"] = 1, ["x2"] = 1, ["x3"] = 1, ["y1"] = 5, ["y2"] = 0.5, ["z"] = 0.25, ["w"] = 4 };
        var recorder = new PerformanceRecorder();
        var catalog = new DataCatalog();
        foreach (var name in pipeline.Datasets())
        {
            catalog.Add(name, new MemoryDataset());
        }

        var run = new PipelineRun(pipeline, catalog, runOptions: new RunOptions { Performance = recorder });
        Assert.Same(recorder, run.Performance);
        foreach (var node in pipeline.Nodes)
        {
            recorder.RecordEnded(node, new NodeMeasurements { Location = "w1", WallTime = S(walls[node.Name]) });
        }

        var report = recorder.CreateReport();
        Assert.Equal(["y1", "y2", "z"], report.CriticalPath.Select(n => n.Name));
        Assert.Equal(S(5.75), report.CriticalPathTime);
        Assert.Equal(["y1", "w", "x1", "x2", "x3", "y2", "z"], report.SlowestNodes.Select(n => n.Name));
        Assert.All(report.Nodes, n => Assert.Equal("w1", n.Location));
    }

    [Fact]
    public void NodesRecordedElsewhere_WaitFromTheirSubmission_AndKeepTheirWorkers()
    {
        var time = new FakeTimeProvider();
        var pipeline = new Pipeline([Node.Create((int v) => v, "in", "a", name: "a"), Node.Create((int v) => v, "a", "b", name: "b")]);
        var catalog = new DataCatalog();
        foreach (var name in pipeline.Datasets())
        {
            catalog.Add(name, new MemoryDataset());
        }

        var recorder = new PerformanceRecorder();
        _ = new PipelineRun(pipeline, catalog, new RunnerOptions { TimeProvider = time }, new RunOptions { Performance = recorder });
        var (a, b) = (pipeline.Nodes[0], pipeline.Nodes[1]);
        time.Advance(S(5)); // connecting, publishing inputs
        recorder.RecordSubmitted();
        time.Advance(S(1));
        recorder.RecordStarted(a, "w1");
        time.Advance(S(2));
        recorder.RecordEnded(a, new NodeMeasurements { Location = "w1", WallTime = S(1.5), LoadTime = S(0.25), SaveBytes = 10 });
        time.Advance(S(0.5));
        recorder.RecordEnded(b, new NodeMeasurements { Location = "w2", WallTime = S(0.25), Attempts = 2 }); // no started event

        var report = recorder.CreateReport();
        var (ra, rb) = (report.Nodes[0], report.Nodes[1]);
        // a: started (event) at 6 s, 1 s after the submission; its worker measured 1.5 s of the 2 s until its completion.
        Assert.Equal((S(6), S(1.5), S(1), S(0.25), (long?)10, "w1"), (ra.Start, ra.WallTime, ra.QueueWait, ra.LoadTime, ra.SaveBytes, ra.Location));
        // b: no started event: it started its wall time before its completion at 8.5 s, 0.25 s after a ended.
        Assert.Equal((S(8.25), S(0.25), S(0.25), 2, "w2"), (rb.Start, rb.WallTime, rb.QueueWait, rb.Attempts, rb.Location));
        Assert.Equal(S(8.5), report.WallTime);
        Assert.Null(recorder.Report); // the run has not ended
    }

    [Fact]
    public async Task ThreadRun_ReportsEveryNode_WithTheThreadItRanOn()
    {
        var nodes = Enumerable.Range(0, 20).Select(i => Node.Create((int x) => { Thread.Sleep(20); return x + i; }, "in", $"out{i}", name: $"n{i:00}")).ToList();
        var recorder = new PerformanceRecorder();
        var catalog = new DataCatalog();
        catalog.Add("in", new MemoryDataset(1));

        await new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 4 }).RunAsync(new Pipeline(nodes), catalog, new RunOptions { Performance = recorder });

        var report = recorder.Report!;
        Assert.Equal(20, report.Nodes.Count);
        Assert.All(report.Nodes, n =>
        {
            Assert.Equal(NodeOutcome.Completed, n.Outcome);
            Assert.StartsWith("thread ", n.Location, StringComparison.Ordinal);
            Assert.True(n.WallTime >= TimeSpan.FromMilliseconds(15), $"{n.Name}: {n.WallTime}");
            Assert.True(n.Start + n.WallTime <= report.WallTime, n.Name);
        });
        // Nodes ran at the same time on different threads (the parallelism figure itself depends on the machine's load).
        var overlapping = report.Nodes.Count(n => report.Nodes.Any(o => o != n && o.Location != n.Location && o.Start < n.Start + n.WallTime && n.Start < o.Start + o.WallTime));
        Assert.True(overlapping >= 2, $"{overlapping} nodes overlapped another thread's node");
        Assert.True(report.Nodes.Select(n => n.Location).Distinct().Count() >= 2);
        Assert.Equal(report.NodeTime / report.WallTime, report.Parallelism, 6);
        Assert.Single(report.CriticalPath);
    }

    [Fact]
    public async Task FailedRun_StillProducesAReport_WithTheFailureMarked()
    {
        var time = new FakeTimeProvider();
        var pipeline = new Pipeline(
        [
            Sleeper(time, 1, "in", "a", "a"),
            Node.Create((int x) => { time.Advance(S(2)); return x > 0 ? throw new InvalidOperationException("boom") : x; }, "a", "b", name: "b"),
            Sleeper(time, 1, "b", "c", "c"),
            Sleeper(time, 1, "in", "d", "d"),
        ]);
        var catalog = new DataCatalog();
        catalog.Add("in", new MemoryDataset(1));
        var recorder = new PerformanceRecorder();
        var runner = new SequentialRunner(new RunnerOptions { TimeProvider = time, FailurePolicy = NodeFailurePolicy.ContinueIndependentNodes });

        await Assert.ThrowsAsync<PipelineRunFailedException>(() => runner.RunAsync(pipeline, catalog, new RunOptions { Performance = recorder }));

        var report = recorder.Report!;
        Assert.False(report.Succeeded);
        Assert.Contains("boom", report.Error, StringComparison.Ordinal);
        var nodes = report.Nodes.ToDictionary(n => n.Name);
        Assert.Equal(NodeOutcome.Completed, nodes["a"].Outcome);
        Assert.Equal((NodeOutcome.Failed, S(2), "InvalidOperationException: boom"), (nodes["b"].Outcome, nodes["b"].WallTime, nodes["b"].Error));
        Assert.Equal((NodeOutcome.Skipped, 0, (string?)null), (nodes["c"].Outcome, nodes["c"].Attempts, nodes["c"].Location));
        Assert.Equal(NodeOutcome.Completed, nodes["d"].Outcome);

        using var html = new MemoryStream();
        await report.WriteHtmlAsync(html);
        var page = Encoding.UTF8.GetString(html.ToArray());
        Assert.Contains("<rect class=\"failed", page, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: boom", page, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"skipped\"><td>c", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedRun_ReportsTheNodesThatNeverStarted_AsNotRun()
    {
        var pipeline = new Pipeline(
        [
            Node.Create((int x) => x > 0 ? throw new InvalidOperationException("boom") : x, "in", "a", name: "a"),
            Node.Create((int x) => x, "a", "b", name: "b"),
        ]);
        var catalog = new DataCatalog();
        catalog.Add("in", new MemoryDataset(1));
        var recorder = new PerformanceRecorder();

        await Assert.ThrowsAsync<NodeExecutionException>(() => new SequentialRunner().RunAsync(pipeline, catalog, new RunOptions { Performance = recorder }));

        Assert.Equal([NodeOutcome.Failed, NodeOutcome.NotRun], recorder.Report!.Nodes.Select(n => n.Outcome));
    }

    [Fact]
    public async Task CancelledRun_StillProducesAReport_WithTheRunningNodeCancelled()
    {
        using var cts = new CancellationTokenSource();
        var pipeline = new Pipeline(
        [
            Node.Create(async (int x, CancellationToken token) =>
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.Infinite, token);
                return x;
            }, "in", "a", name: "a"),
            Node.Create((int x) => x, "a", "b", name: "b"),
        ]);
        var catalog = new DataCatalog();
        catalog.Add("in", new MemoryDataset(1));
        var recorder = new PerformanceRecorder();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SequentialRunner().RunAsync(pipeline, catalog, new RunOptions { Performance = recorder }, cts.Token));

        var report = recorder.Report!;
        Assert.False(report.Succeeded);
        Assert.Equal([NodeOutcome.Cancelled, NodeOutcome.NotRun], report.Nodes.Select(n => n.Outcome));
    }

    [Fact]
    public async Task RetriedNode_CountsItsAttempts()
    {
        var calls = 0;
        var pipeline = new Pipeline([Node.Create((int x) => ++calls < 3 ? throw new TransientException("flaky") : x, "in", "out", name: "flaky")]);
        var catalog = new DataCatalog();
        catalog.Add("in", new MemoryDataset(1));
        var recorder = new PerformanceRecorder();
        var runner = new SequentialRunner(new RunnerOptions { RetryPolicy = new RetryPolicy { MaxAttempts = 3, Delay = TimeSpan.FromMilliseconds(1) } });

        await runner.RunAsync(pipeline, catalog, new RunOptions { Performance = recorder });

        Assert.Equal(3, recorder.Report!.Nodes[0].Attempts);
    }

    [Fact]
    public async Task TenThousandNodeChain_ReportsEveryNode_AndWritesHtmlAndJson()
    {
        var nodes = Enumerable.Range(0, 10_000).Select(i => Node.Create((int x) => x + 1, $"d{i}", $"d{i + 1}", name: $"n{i:00000}")).ToList();
        var catalog = new DataCatalog();
        catalog.Add("d0", new MemoryDataset((object)0));
        var recorder = new PerformanceRecorder();

        await new SequentialRunner().RunAsync(new Pipeline(nodes), catalog, new RunOptions { Performance = recorder });

        var report = recorder.Report!;
        Assert.Equal(10_000, report.Nodes.Count);
        Assert.Equal(10_000, report.CriticalPath.Count);
        Assert.Equal(10, report.SlowestNodes.Count);
        using var html = new MemoryStream();
        await report.WriteHtmlAsync(html);
        Assert.InRange(html.Length, 10_000, 20_000_000);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(10_000, json.RootElement.GetProperty("nodes").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task Html_IsStandalone_WithSummarySlowestNodesCriticalPathAndTimeline()
    {
        var time = new FakeTimeProvider();
        var pipeline = new Pipeline([Sleeper(time, 1, "in", "a", "a"), Sleeper(time, 2, "a", "b", "b")]);
        var catalog = new DataCatalog();
        catalog.Add("in", new MemoryDataset(1));
        var recorder = new PerformanceRecorder();
        await new SequentialRunner(new RunnerOptions { TimeProvider = time }).RunAsync(pipeline, catalog, new RunOptions { Performance = recorder });

        using var stream = new MemoryStream();
        await recorder.Report!.WriteHtmlAsync(stream);
        var page = Encoding.UTF8.GetString(stream.ToArray());

        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        foreach (var section in new[] { "id=\"summary\"", "id=\"slowest\"", "id=\"critical-path\"", "id=\"timeline\"", "<svg class=\"timeline\"" })
        {
            Assert.Contains(section, page, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", page, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", page, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(page, "<rect class=\"completed critical\""));
        Assert.Contains("<tr><th>Wall time</th><td>3.000</td></tr>", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Recorder_ServesOneRun()
    {
        var pipeline = new Pipeline([Node.Create((int x) => x, "in", "out", name: "n")]);
        var catalog = new DataCatalog();
        catalog.Add("in", new MemoryDataset(1));
        catalog.Add("out", new MemoryDataset());
        var recorder = new PerformanceRecorder();
        Assert.Throws<InvalidOperationException>(recorder.CreateReport);
        _ = new PipelineRun(pipeline, catalog, runOptions: new RunOptions { Performance = recorder });
        Assert.Throws<InvalidOperationException>(() => new PipelineRun(pipeline, catalog, runOptions: new RunOptions { Performance = recorder }));
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
