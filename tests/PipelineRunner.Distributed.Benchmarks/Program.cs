// Side-by-side benchmark of the distributed runner against Dask's distributed scheduler running the seed's pattern.
// Usage: dotnet run -c Release --project tests/PipelineRunner.Distributed.Benchmarks [-- --quick] [--skip-dask]
//        [--sizes 1,16,128,512] [--repeats N] [--warmup N] [--dashboard | --dashboard-no-page]
// --dashboard: the scheduler serves its dashboard and a page's event stream (every change, with the task stream's
// executions) is read throughout, as by a connected browser; --dashboard-no-page: served, with no page open.
// Internally also: `worker --scheduler URL --id ID` (the harness starts two of itself as worker processes).
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.Workers;
using PipelineRunner.Distributed;
using PipelineRunner.Pipelines;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

if (args.FirstOrDefault() == "worker")
{
    var worker = new PipelineWorker(
        new WorkerOptions { SchedulerAddress = new Uri(Option("--scheduler")!), WorkerId = Option("--id")!, MaxConcurrentNodes = 4 },
        new PipelineNodeResolver(Workloads.All()));
    Console.WriteLine($"worker {worker.Id} ready");
    using var stop = new CancellationTokenSource();
    AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
    await worker.RunAsync(stop.Token);
    return 0;
}

if (args.FirstOrDefault() == "probe")
{
    // Fetch-only probe: one value published once, fetched --repeats times, each beside a loopback socket transfer.
    var probeSize = int.Parse(Option("--size") ?? "128");
    await using var probeScheduler = await SchedulerServer.StartAsync();
    using var probeChannel = new SchedulerChannel(probeScheduler.Address, ChannelTimeouts.Default);
    var data = new byte[probeSize * 1024 * 1024];
    new Random(1).NextBytes(data);
    var probeDataset = new StoreDataset("probe", _ => ValueTask.FromResult(probeChannel.Store));
    await probeDataset.SaveAsync(data);
    for (var r = 0; r < int.Parse(Option("--repeats") ?? "8"); r++)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var w = Stopwatch.StartNew();
        var back = (byte[])(await probeDataset.LoadAsync(typeof(byte[])))!;
        var fetchSeconds = w.Elapsed.TotalSeconds;
        var socketSeconds = await LoopbackSocketSeconds(data);
        Console.WriteLine($"fetch {probeSize / fetchSeconds:F0} MB/s, socket {probeSize / socketSeconds:F0} MB/s, ratio {socketSeconds / fetchSeconds:F2}, gen2 GCs {GC.CollectionCount(2)}, last byte ok {back[^1] == data[^1]}");
    }

    await probeDataset.ReleaseAsync();
    return 0;
}

var quick = args.Contains("--quick");
var repeats = int.Parse(Option("--repeats") ?? (quick ? "1" : "3"));
var warmup = Math.Max(1, int.Parse(Option("--warmup") ?? (quick ? "1" : "5")));
var sizes = (Option("--sizes") ?? (quick ? "1,16,128" : "1,16,128,512")).Split(',').Select(int.Parse).ToArray();
Console.WriteLine("# PipelineRunner distributed benchmarks");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
Console.WriteLine($"setup: scheduler in the harness process, 2 worker processes with 4 node slots each; {warmup} warm-up run(s) per node workload, {repeats} timed repeat(s), median");
Console.WriteLine();

var dashboard = args.Contains("--dashboard") || args.Contains("--dashboard-no-page");
var dashboardPage = args.Contains("--dashboard");
await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { DashboardPort = dashboard ? 0 : null });
using var page = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
var pageEvents = 0L;
if (dashboard && !dashboardPage)
{
    Console.WriteLine($"dashboard: {scheduler.DashboardAddress} with no page open");
}

if (dashboardPage)
{
    Console.WriteLine($"dashboard: {scheduler.DashboardAddress} with a page's event stream connected");
    var stream = await page.GetStreamAsync(new Uri(scheduler.DashboardAddress!, "/api/events?executions=1"));
    _ = Task.Run(async () =>
    {
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref pageEvents);
            }
        }
    });
}

var workers = new List<Process>();
try
{
    foreach (var id in new[] { "w1", "w2" })
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(Workloads).Assembly.Location);
        foreach (var arg in new[] { "worker", "--scheduler", scheduler.Address.ToString(), "--id", id })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        workers.Add(process);
        await process.StandardOutput.ReadLineAsync();
    }

    await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = scheduler.Address });
    var results = new Dictionary<string, double>();

    // Each workload runs `warmup` untimed times first (the first of them on a cold cluster, reported apart), then
    // `repeats` timed times. The JIT keeps compiling hot paths for the first few seconds, in the workers too.
    async Task<(double Cold, double Warm)> MsPerNode(Pipeline pipeline, string input)
    {
        var samples = new List<double>();
        var cold = 0.0;
        for (var r = 0; r < warmup + repeats; r++)
        {
            var catalog = new DataCatalog();
            catalog.AddValues([new(input, 1)]);
            var watch = Stopwatch.StartNew();
            var outputs = await runner.RunAsync(pipeline, catalog);
            var msPerNode = watch.Elapsed.TotalMilliseconds / pipeline.Nodes.Count;
            if (r == 0)
            {
                cold = msPerNode;
            }
            else if (r >= warmup)
            {
                samples.Add(msPerNode);
            }

            await runner.ReleaseStoreAsync(outputs.Keys);
        }

        return (cold, Median(samples));
    }

    (results["chain_cold"], results["chain"]) = await MsPerNode(Workloads.Chain(1000), "chain_0");
    (results["fanout_cold"], results["fanout"]) = await MsPerNode(Workloads.FanOutFanIn(1000), "fan_input");
    if (dashboard)
    {
        Console.WriteLine($"page events received: {Interlocked.Read(ref pageEvents)}");
    }

    Console.WriteLine("## Per-node overhead (tiny payloads)");
    Console.WriteLine("| workload | PipelineRunner warm (ms/node) | first run, cold (ms/node) |");
    Console.WriteLine("|---|---:|---:|");
    Console.WriteLine($"| 1,000-node chain | {results["chain"]:F3} | {results["chain_cold"]:F3} |");
    Console.WriteLine($"| 1,000-node fan-out/fan-in | {results["fanout"]:F3} | {results["fanout_cold"]:F3} |");
    Console.WriteLine();

    using var channel = new SchedulerChannel(scheduler.Address, ChannelTimeouts.Default);
    GC.Collect();
    var baseline = scheduler.StoreBytes;
    var heapBaseline = GC.GetTotalMemory(forceFullCollection: true);
    Console.WriteLine("## Store and socket throughput (MB/s)");
    Console.WriteLine("| size (MB) | publish | fetch | publish+fetch | loopback socket | store bytes after release | store reuse buffers after 3 s | harness heap growth after 3 s (MB) |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var size in sizes)
    {
        var (publishMbs, fetchMbs, bothMbs, socketMbs) = await MeasureSize(size);

        // The store frees released values after its 2 s reuse window; so do the clients' transfer buffers.
        await Task.Delay(TimeSpan.FromSeconds(3));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapGrowth = (GC.GetTotalMemory(forceFullCollection: true) - heapBaseline) / 1024.0 / 1024.0;
        results[$"publish_{size}"] = publishMbs;
        results[$"fetch_{size}"] = fetchMbs;
        results[$"both_{size}"] = bothMbs;
        results[$"socket_{size}"] = socketMbs;
        Console.WriteLine($"| {size} | {publishMbs:F0} | {fetchMbs:F0} | {bothMbs:F0} | {socketMbs:F0} | {scheduler.StoreBytes - baseline} | {scheduler.RecycledBytes} | {heapGrowth:F1} |");
    }

    async Task<(double Publish, double Fetch, double Both, double Socket)> MeasureSize(int size)
    {
        var payload = new byte[size * 1024 * 1024];
        new Random(1).NextBytes(payload);
        var dataset = new StoreDataset($"blob_{size}", _ => ValueTask.FromResult(channel.Store));
        var publish = new List<double>();
        var fetch = new List<double>();
        var both = new List<double>();
        var socket = new List<double>();
        for (var r = 0; r <= repeats; r++)
        {
            // Like BenchmarkDotNet, collect the previous iteration's garbage outside the timed region, so each
            // iteration starts from the same heap instead of inheriting an uncollected 512 MB array.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var watch = Stopwatch.StartNew();
            await dataset.SaveAsync(payload);
            var published = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var back = (byte[])(await dataset.LoadAsync(typeof(byte[])))!;
            var fetched = watch.Elapsed.TotalSeconds;
            if (back.Length != payload.Length || back[^1] != payload[^1])
            {
                throw new InvalidOperationException("round trip lost bytes");
            }

            var socketSeconds = await LoopbackSocketSeconds(payload);
            if (r > 0)
            {
                publish.Add(size / published);
                fetch.Add(size / fetched);
                both.Add(size / (published + fetched));
                socket.Add(size / socketSeconds);
            }

            await dataset.ReleaseAsync();
        }

        return (Median(publish), Median(fetch), Median(both), Median(socket));
    }

    Console.WriteLine();
    var dask = args.Contains("--skip-dask") ? null : RunDask(repeats, warmup, sizes);
    if (dask is null)
    {
        Console.WriteLine("Dask peer: skipped (run without --skip-dask, with Debian's python3-distributed installed: apt-get install python3-distributed).");
        return 0;
    }

    Console.WriteLine($"## Side by side with Dask {dask.RootElement.GetProperty("dask_version").GetString()} (2 worker processes)");
    double? D(string key) => dask.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
    string Ratio(double? theirs, double ours) => theirs is null ? "n/a" : $"{theirs / ours:F1}x";
    Console.WriteLine("| workload | PipelineRunner | Dask seed pattern | plain Dask futures | seed / ours | futures / ours |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    Console.WriteLine($"| chain (ms/node) | {results["chain"]:F3} | {D("seed_chain_ms_per_node"):F3} | {D("futures_chain_ms_per_node"):F3} | {Ratio(D("seed_chain_ms_per_node"), results["chain"])} | {Ratio(D("futures_chain_ms_per_node"), results["chain"])} |");
    Console.WriteLine($"| fan-out/fan-in (ms/node) | {results["fanout"]:F3} | {D("seed_fanout_ms_per_node"):F3} | {D("futures_fanout_ms_per_node"):F3} | {Ratio(D("seed_fanout_ms_per_node"), results["fanout"])} | {Ratio(D("futures_fanout_ms_per_node"), results["fanout"])} |");
    Console.WriteLine($"| chain, first run (cold) | {results["chain_cold"]:F3} | {D("seed_chain_cold_ms_per_node"):F3} | {D("futures_chain_cold_ms_per_node"):F3} | {Ratio(D("seed_chain_cold_ms_per_node"), results["chain_cold"])} | {Ratio(D("futures_chain_cold_ms_per_node"), results["chain_cold"])} |");
    Console.WriteLine($"| fan-out/fan-in, first run (cold) | {results["fanout_cold"]:F3} | {D("seed_fanout_cold_ms_per_node"):F3} | {D("futures_fanout_cold_ms_per_node"):F3} | {Ratio(D("seed_fanout_cold_ms_per_node"), results["fanout_cold"])} | {Ratio(D("futures_fanout_cold_ms_per_node"), results["fanout_cold"])} |");
    Console.WriteLine();
    Console.WriteLine("| size (MB) | ours publish / fetch / both | Dask publish / fetch / both | ours vs Dask (both) | ours publish, fetch / socket |");
    Console.WriteLine("|---:|---|---|---:|---|");
    foreach (var size in sizes)
    {
        var dp = DaskSize(dask, size, "publish_mb_s");
        var df = DaskSize(dask, size, "fetch_mb_s");
        var db = DaskSize(dask, size, "roundtrip_mb_s");
        Console.WriteLine($"| {size} | {results[$"publish_{size}"]:F0} / {results[$"fetch_{size}"]:F0} / {results[$"both_{size}"]:F0} | {dp:F0} / {df:F0} / {db:F0} | {(db is null ? "n/a" : $"{results[$"both_{size}"] / db:F1}x")} | {results[$"publish_{size}"] / results[$"socket_{size}"]:F2}, {results[$"fetch_{size}"] / results[$"socket_{size}"]:F2} |");
    }

    return 0;
}
finally
{
    foreach (var worker in workers)
    {
        worker.Kill(entireProcessTree: true);
        await worker.WaitForExitAsync();
    }
}

static double Median(List<double> values)
{
    values.Sort();
    return values.Count == 0 ? double.NaN : values[values.Count / 2];
}

static async Task<double> LoopbackSocketSeconds(byte[] payload)
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    using var client = new TcpClient();
    await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
    using var server = await listener.AcceptTcpClientAsync();
    var watch = Stopwatch.StartNew();
    var send = Task.Run(async () =>
    {
        var stream = client.GetStream();
        for (var offset = 0; offset < payload.Length; offset += 1024 * 1024)
        {
            await stream.WriteAsync(payload.AsMemory(offset, Math.Min(1024 * 1024, payload.Length - offset)));
        }
    });
    var buffer = new byte[1024 * 1024];
    var received = 0L;
    var input = server.GetStream();
    while (received < payload.Length)
    {
        received += await input.ReadAsync(buffer);
    }

    await send;
    return watch.Elapsed.TotalSeconds;
}

static double? DaskSize(JsonDocument dask, int size, string key)
{
    // The peer reports {"throughput": {"<size>": {"publish_mb_s": ..., "fetch_mb_s": ..., "roundtrip_mb_s": ...}}}.
    if (!dask.RootElement.TryGetProperty("throughput", out var throughput)
        || !throughput.TryGetProperty(size.ToString(CultureInfo.InvariantCulture), out var bySize)
        || !bySize.TryGetProperty(key, out var value)
        || value.ValueKind != JsonValueKind.Number)
    {
        return null;
    }

    return value.GetDouble();
}

static JsonDocument? RunDask(int repeats, int warmup, int[] sizes)
{
    var script = Path.Combine(AppContext.BaseDirectory, "peer", "dask_peer.py");
    if (!File.Exists("/usr/bin/python3") || !File.Exists(script))
    {
        return null;
    }

    var check = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import distributed\"") { RedirectStandardError = true })!;
    check.WaitForExit();
    if (check.ExitCode != 0)
    {
        var install = Process.Start(new ProcessStartInfo("apt-get", "install -y python3-distributed") { RedirectStandardOutput = true, RedirectStandardError = true });
        install?.WaitForExit();
    }

    var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
    info.ArgumentList.Add(script);
    info.ArgumentList.Add("--repeats");
    info.ArgumentList.Add(repeats.ToString(CultureInfo.InvariantCulture));
    info.ArgumentList.Add("--warmup");
    info.ArgumentList.Add(warmup.ToString(CultureInfo.InvariantCulture));
    info.ArgumentList.Add("--sizes");
    info.ArgumentList.Add(string.Join(',', sizes));
    var process = Process.Start(info)!;
    var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    process.WaitForExit();
    return process.ExitCode == 0 && lines.Length > 0 ? JsonDocument.Parse(lines[^1]) : null;
}

/// <summary>The benchmark's pipelines, defined identically in the driver and the worker processes.</summary>
public static class Workloads
{
    public static int Increment(int x) => x + 1;

    public static int Sum(params int[] values) => values.Sum();

    public static Pipeline Chain(int nodes) => new(Enumerable.Range(0, nodes).Select(i =>
        Node.Create(Increment, $"chain_{i}", $"chain_{i + 1}", name: $"chain{i:D4}")));

    /// <summary>One source, nodes - 2 middle nodes reading it, one sink reading them all.</summary>
    public static Pipeline FanOutFanIn(int nodes) => new([
        Node.Create(Increment, "fan_input", "fan_source", name: "fan_source"),
        .. Enumerable.Range(0, nodes - 2).Select(i => Node.Create(Increment, "fan_source", $"fan_{i}", name: $"fan{i:D4}")),
        Node.Create(Sum, Enumerable.Range(0, nodes - 2).Select(i => $"fan_{i}").ToArray(), "fan_sink", name: "fan_sink"),
    ]);

    public static IReadOnlyList<Pipeline> All() => [Chain(1000), FanOutFanIn(1000)];
}
