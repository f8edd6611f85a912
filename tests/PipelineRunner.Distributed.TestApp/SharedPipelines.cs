using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.TestApp;

/// <summary>Point of a multiple-outputs node.</summary>
public sealed class Stats
{
    public double Mean { get; set; }

    public double Max { get; set; }
}

/// <summary>
/// The pipelines the distributed tests run on every runner and compare: the driver (tests) and the worker processes
/// (this app) define them from the same code, as a user's app does.
/// </summary>
public static class SharedPipelines
{
    public static int Increment(int x) => x + 1;

    public static int[] Range(int n) => Enumerable.Range(1, n).ToArray();

    public static int Square(int[] values, int index) => values[index] * values[index];

    public static long Sum(int a, int b, int c, int d) => (long)a + b + c + d;

    public static (double Mean, double Max) Summarize(int[] values) => (values.Average(), values.Max());

    public static Stats ToStats(double mean, double max) => new() { Mean = mean, Max = max };

    public static double Scale(double value, double factor) => value * factor;

    public static string Describe(Stats stats, string label) => $"{label}: mean={stats.Mean:F2} max={stats.Max:F2}";

    public static List<int> Fail(int x) => throw new InvalidOperationException($"bad input {x}");

    public static byte[] MakeBlob(int megabytes) => CreateBlob(megabytes);

    public static long Checksum(byte[] blob) => blob.Aggregate(0L, (sum, b) => sum + b);

    public static byte[] CreateBlob(int megabytes)
    {
        var blob = GC.AllocateUninitializedArray<byte>(megabytes * 1024 * 1024);
        for (var i = 0; i < blob.Length; i++)
        {
            blob[i] = (byte)(i * 31);
        }

        return blob;
    }

    /// <summary>x -> inc1 -> inc2 -> ... -> incN.</summary>
    public static Pipeline Chain(int length) => new(Enumerable.Range(0, length).Select(i =>
        Node.Create(Increment, i == 0 ? "chain_input" : $"chain_{i}", $"chain_{i + 1}", name: $"inc{i + 1:D3}")));

    /// <summary>A source fans out to four squares that fan back into a sum.</summary>
    public static Pipeline FanOutFanIn() => new([
        Node.Create(Range, "params:fan.n", "values", name: "make_values"),
        .. Enumerable.Range(0, 4).Select(i => Node.Create(
            (int[] values) => Square(values, i), "values", $"square_{i}", name: $"square{i}")),
        Node.Create(Sum, new[] { "square_0", "square_1", "square_2", "square_3" }, "sum_of_squares", name: "sum"),
    ]);

    /// <summary>Multiple outputs, parameters, a persisted file dataset and free outputs.</summary>
    public static Pipeline Report() => new([
        Node.Create(Summarize, "values", new[] { "mean", "max" }, name: "summarize"),
        Node.Create(ToStats, new[] { "mean", "max" }, "stats", name: "to_stats"),
        Node.Create(Scale, new[] { "mean", "params:report.factor" }, "scaled_mean", name: "scale"),
        Node.Create(Describe, new[] { "stats", "params:report.label" }, "report_text", name: "describe"),
    ]);

    public static Pipeline Failing() => new([
        Node.Create(Increment, "a", "b", name: "ok_before"),
        Node.Create(Fail, "b", "c", name: "explodes"),
        Node.Create((List<int> c) => c.Count, "c", "d", name: "never_runs"),
    ]);

    public static Pipeline Blob() => new([
        Node.Create(MakeBlob, "params:blob_mb", "blob", name: "make_blob"),
        Node.Create(Checksum, "blob", "checksum", name: "checksum"),
    ]);

    public static long ChecksumAll(byte[] a, byte[] b, byte[] c, byte[] d) => Checksum(a) + Checksum(b) + Checksum(c) + Checksum(d);

    /// <summary>Four blobs of <c>params:blob_mb</c> each, alive together until one node sums them: more than a small store holds.</summary>
    public static Pipeline Blobs() => new([
        .. Enumerable.Range(1, 4).Select(i => Node.Create(MakeBlob, "params:blob_mb", $"blob_{i}", name: $"make_blob_{i}")),
        Node.Create(ChecksumAll, new[] { "blob_1", "blob_2", "blob_3", "blob_4" }, "total_checksum", name: "checksum_all"),
    ]);

    /// <summary>
    /// An increment that leaves a marker file <c>x.pid</c> in <paramref name="markers"/> when it starts, then takes
    /// <paramref name="delayMs"/>, or less if a file <c>x.go</c> appears there: tests watch the markers to kill the worker
    /// running it, and let the rerun finish at once.
    /// </summary>
    public static async Task<int> SlowIncrement(int x, string markers, long delayMs, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(Path.Combine(markers, $"{x}.{Environment.ProcessId}"), string.Empty, cancellationToken);
        var deadline = DateTime.UtcNow.AddMilliseconds(delayMs);
        while (DateTime.UtcNow < deadline && !File.Exists(Path.Combine(markers, $"{x}.go")))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(10, delayMs)), cancellationToken);
        }

        return x + 1;
    }

    /// <summary>slow_input -> slow01 -> ... -> slowN, each node a <see cref="SlowIncrement"/>.</summary>
    public static Pipeline SlowChain(int length) => new(Enumerable.Range(0, length).Select(i =>
        Node.Create(SlowIncrement, new[] { i == 0 ? "slow_input" : $"slow_{i}", "params:markers", "params:delay_ms" }, $"slow_{i + 1}", name: $"slow{i + 1:D2}")));

    /// <summary>Crashes the process running it, as a native crash or an out-of-memory kill would.</summary>
    public static int CrashTheProcess(int x)
    {
        Environment.FailFast($"node kills_its_worker crashes its worker on purpose (input {x})");
        return x;
    }

    public static Pipeline Poison() => new([Node.Create(CrashTheProcess, "poison_input", "poison_output", name: "kills_its_worker")]);

    /// <summary>The pipelines a worker registers; <c>changed</c> is a different build whose first chain node reads another dataset.</summary>
    public static IReadOnlyList<Pipeline> All(string variant = "default") =>
    [
        variant == "changed"
            ? new Pipeline(Chain(20).Nodes.Select(n => n.Name == "inc001" ? Node.Create(Increment, "other_input", "chain_1", name: "inc001") : n))
            : Chain(20),
        FanOutFanIn() + Report(),
        Failing(),
        Blob(),
        SlowChain(10),
        Poison(),
        Blobs(),
    ];
}
