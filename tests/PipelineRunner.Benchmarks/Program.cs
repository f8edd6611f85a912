// Whole-run benchmark harness for the core package: runner per-node overhead and pipeline build/sort/filter times.
// Usage: dotnet run -c Release --project tests/PipelineRunner.Benchmarks [-- --quick]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Reporting;
using PipelineRunner.Runners;

var quick = args.Contains("--quick");
var repeats = quick ? 3 : 9;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Console.WriteLine($"# PipelineRunner core benchmarks");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}");
Console.WriteLine($"repeats: {repeats} interleaved rounds (median reported), after 3 s of warm-up");
Console.WriteLine();

static Pipeline Chain(int n)
{
    var nodes = new Node[n];
    for (var i = 0; i < n; i++)
    {
        nodes[i] = Node.Create((int x) => x + 1, $"d{i}", $"d{i + 1}", name: $"n{i}", tags: i % 2 == 0 ? ["even"] : null);
    }

    return new Pipeline(nodes);
}

static Pipeline FanOut(int n)
{
    var nodes = new Node[n + 1];
    nodes[0] = Node.Create((int x) => x + 1, "source", "shared", name: "root");
    for (var i = 0; i < n; i++)
    {
        nodes[i + 1] = Node.Create((int x) => x + 1, "shared", $"leaf{i}", name: $"leaf{i}");
    }

    return new Pipeline(nodes);
}

static DataCatalog Inputs(string name)
{
    var catalog = new DataCatalog();
    catalog.AddValues([new(name, 0)]);
    return catalog;
}

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}


Console.WriteLine("## Runner per-node overhead (trivial nodes, memory datasets)");
Console.WriteLine("| workload | nodes | median total (ms) | per node (µs) | allocated per node (bytes) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
var workloads = new (string Label, int Size, Pipeline Pipeline, Func<DataCatalog> Catalog, AbstractRunner Runner, bool Report)[]
{
    ("SequentialRunner chain", 1_000, Chain(1_000), () => Inputs("d0"), new SequentialRunner(), false),
    ("SequentialRunner chain", 10_000, Chain(10_000), () => Inputs("d0"), new SequentialRunner(), false),
    ("ThreadRunner fan-out", 10_000, FanOut(10_000), () => Inputs("source"), new ThreadRunner(), false),
    ("ThreadRunner chain", 10_000, Chain(10_000), () => Inputs("d0"), new ThreadRunner(), false),
    // With a performance report (RunOptions.Performance): the recorder's per-node cost, and the report built at the end.
    ("SequentialRunner chain + report", 10_000, Chain(10_000), () => Inputs("d0"), new SequentialRunner(), true),
};

static RunOptions? OptionsFor(bool report) => report ? new RunOptions { Performance = new PerformanceRecorder() } : null;

// Warm up every workload together for at least 3 s so tiered compilation reaches steady state, then measure the
// workloads interleaved (one run of each per round) so they see the same machine conditions.
var warmup = Stopwatch.StartNew();
while (warmup.ElapsedMilliseconds < 3000)
{
    foreach (var w in workloads)
    {
        w.Runner.RunAsync(w.Pipeline, w.Catalog(), OptionsFor(w.Report)).GetAwaiter().GetResult();
    }
}

var samples = workloads.Select(_ => new List<double>()).ToArray();
var allocated = new long[workloads.Length];
for (var r = 0; r < repeats; r++)
{
    for (var i = 0; i < workloads.Length; i++)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        workloads[i].Runner.RunAsync(workloads[i].Pipeline, workloads[i].Catalog(), OptionsFor(workloads[i].Report)).GetAwaiter().GetResult();
        samples[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        allocated[i] = GC.GetTotalAllocatedBytes(precise: true) - bytes;
    }
}

var perNode = new Dictionary<string, double>();
for (var i = 0; i < workloads.Length; i++)
{
    var (label, n, pipeline, _, _, _) = workloads[i];
    var ms = Median(samples[i]);
    var us = ms * 1000 / pipeline.Nodes.Count;
    perNode[$"{label} {n}"] = us;
    Console.WriteLine($"| {label} | {pipeline.Nodes.Count:N0} | {ms:F2} | {us:F2} | {allocated[i] / pipeline.Nodes.Count:N0} |");
}

Console.WriteLine();
Console.WriteLine($"ratio SequentialRunner per-node overhead 10,000 / 1,000 nodes: {perNode["SequentialRunner chain 10000"] / perNode["SequentialRunner chain 1000"]:F2}x (target <= 1.5x)");
Console.WriteLine($"SequentialRunner per node on a 1,000-node chain: {perNode["SequentialRunner chain 1000"]:F2} µs (target <= 5 µs; the issue's reference for Kedro: ~2,000 µs, ratio {2000 / perNode["SequentialRunner chain 1000"]:F0}x)");
Console.WriteLine();

Console.WriteLine("## Pipeline build, sort and filter");
Console.WriteLine("| nodes | create nodes (ms) | build + validate + sort (ms) | Filter(from-nodes, to-outputs, tags) (ms) | total (ms) |");
Console.WriteLine("|---:|---:|---:|---:|---:|");
foreach (var n in new[] { 10_000, 100_000 })
{
    var create = new List<double>();
    var build = new List<double>();
    var filter = new List<double>();
    for (var r = 0; r < repeats + 1; r++)
    {
        GC.Collect();
        var t0 = Stopwatch.GetTimestamp();
        var nodes = new Node[n];
        for (var i = 0; i < n; i++)
        {
            nodes[i] = Node.Create((int x) => x + 1, $"d{i}", $"d{i + 1}", name: $"n{i}", tags: i % 2 == 0 ? ["even"] : null);
        }

        var t1 = Stopwatch.GetTimestamp();
        var pipeline = new Pipeline(nodes.Reverse());
        _ = pipeline.Nodes;
        var t2 = Stopwatch.GetTimestamp();
        var filtered = pipeline.Filter(new PipelineFilter { FromNodes = [$"n{n / 4}"], ToOutputs = [$"d{3 * n / 4}"], Tags = ["even"] });
        var t3 = Stopwatch.GetTimestamp();
        if (filtered.Nodes.Count != n / 4)
        {
            throw new InvalidOperationException($"unexpected filter result {filtered.Nodes.Count}");
        }

        if (r == 0)
        {
            continue; // warm-up
        }

        create.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
        build.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
        filter.Add(Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds);
    }

    var c = Median(create);
    var b = Median(build);
    var f = Median(filter);
    Console.WriteLine($"| {n:N0} | {c:F1} | {b:F1} | {f:F1} | {c + b + f:F1} |");
}
