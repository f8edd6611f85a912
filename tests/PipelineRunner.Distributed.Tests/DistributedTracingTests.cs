using System.Collections.Concurrent;
using System.Diagnostics;
using PipelineRunner.Catalog;
using PipelineRunner.Diagnostics;
using PipelineRunner.Distributed.TestApp;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// A distributed run is one trace across its processes: the driver's <c>pipeline.run</c>, the scheduler's
/// <c>pipeline.schedule</c> (another process) and each worker's <c>node.execute</c> and <c>node.run</c> (two more),
/// joined by the W3C trace context the wire carries.
/// </summary>
public sealed class DistributedTracingTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pr-trace-" + Guid.NewGuid().ToString("N"));

    private sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, string Tags, string Process);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ARunOnASchedulerAndTwoWorkerProcesses_IsOneTrace_WithTheParentLinksRight()
    {
        ChildProcess Traced(string name, params string[] args) =>
            ChildProcess.StartApp("PipelineRunner.Distributed.TestApp.dll", new Dictionary<string, string> { ["PIPELINERUNNER_TRACE_FILE"] = Path.Combine(_directory, name) }, args);

        await using var scheduler = Traced("scheduler", "scheduler");
        var address = new Uri((await scheduler.WaitForLineAsync("scheduler listening on ", Timeout))["scheduler listening on ".Length..]);
        await using var w1 = Traced("w1", "worker", "--scheduler", address.ToString(), "--id", "w1", "--concurrency", "1");
        await using var w2 = Traced("w2", "worker", "--scheduler", address.ToString(), "--id", "w2", "--concurrency", "1");
        await w1.WaitForLineAsync("worker ", Timeout);
        await w2.WaitForLineAsync("worker ", Timeout);

        // The driver is this process: its spans are collected by a listener, as its own exporter would.
        var driverSpans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PipelineRunnerDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = driverSpans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var catalog = new DataCatalog();
        catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 1L });
        await using (var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = address }))
        {
            await runner.RunAsync(SharedPipelines.Blobs(), catalog).WaitAsync(Timeout);
        }

        // Stopping the processes flushes their exporters.
        foreach (var process in new[] { w1, w2, scheduler })
        {
            process.Signal("TERM");
            Assert.Equal(0, await process.WaitForExitAsync(Timeout));
        }

        // The listener hears every runner in this test process (other tests run in parallel): this run is the one the scheduler traced.
        var schedulerTraces = Read("scheduler").Select(s => s.TraceId).ToHashSet(StringComparer.Ordinal);
        var run = Assert.Single(driverSpans, s => s.DisplayName == "pipeline.run" && s.GetTagItem(PipelineRunnerDiagnostics.RunnerTag) is "DistributedRunner"
            && schedulerTraces.Contains(s.TraceId.ToHexString()));
        var traceId = run.TraceId.ToHexString();
        var spans = new[] { "scheduler", "w1", "w2" }.SelectMany(Read).Where(s => s.TraceId == traceId).ToList();

        var schedule = Assert.Single(spans, s => s.Name == "pipeline.schedule");
        Assert.Equal(("scheduler", run.SpanId.ToHexString()), (schedule.Process, schedule.ParentSpanId));
        var executions = spans.Where(s => s.Name == "node.execute").ToList();
        Assert.Equal(["checksum_all", "make_blob_1", "make_blob_2", "make_blob_3", "make_blob_4"], executions.Select(NodeOf).Order(StringComparer.Ordinal));
        Assert.All(executions, e => Assert.Equal(schedule.SpanId, e.ParentSpanId));
        Assert.Equal(["w1", "w2"], executions.Select(e => e.Process).Distinct().Order(StringComparer.Ordinal)); // both worker processes ran nodes
        foreach (var attempt in spans.Where(s => s.Name == "node.run"))
        {
            var execution = Assert.Single(executions, e => e.SpanId == attempt.ParentSpanId);
            Assert.Equal((execution.Process, NodeOf(execution)), (attempt.Process, NodeOf(attempt)));
            Assert.Contains($"{PipelineRunnerDiagnostics.OutcomeTag}=completed", attempt.Tags, StringComparison.Ordinal);
        }

        Assert.Equal(5, spans.Count(s => s.Name == "node.run"));
        Assert.Contains(spans, s => s.Name == "dataset.save" && s.Tags.Contains($"{PipelineRunnerDiagnostics.DatasetTag}=blob_1", StringComparison.Ordinal));
    }

    private IEnumerable<Span> Read(string process) =>
        File.ReadAllLines(Path.Combine(_directory, process)).Select(line => line.Split(' ', 5)).Select(p => new Span(p[0], p[1], p[2], p[3], p.Length > 4 ? p[4] : string.Empty, process));

    private static string NodeOf(Span span) =>
        span.Tags.Split(' ').Single(t => t.StartsWith(PipelineRunnerDiagnostics.NodeTag + "=", StringComparison.Ordinal))[(PipelineRunnerDiagnostics.NodeTag.Length + 1)..];
}
