using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// Transcoded names on the distributed runner: the names the catalog lacks share one store key (the name without
/// transcoding), so a consumer of x@b reads what the producer of x@a wrote, and the value is released
/// once none of them is loaded any more, not when the first name's own load count reaches zero.
/// </summary>
public sealed class TranscodedStoreTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TranscodedNamesOfOneStoreDataset_StayUntilTheLastReader_ThenTheStoreEmpties()
    {
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 1 });
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        var pipeline = new Pipeline([
            Node.Create((int a) => a + 1, "a", "x@a", name: "produce"),
            Node.Create((int x) => x * 10, "x@b", "y", name: "consume"),
        ]);

        var result = await runner.RunAsync(pipeline, catalog).WaitAsync(Timeout);

        Assert.Equal(20, result["y"]);
        var (names, _) = await runner.ListStoreAsync();
        Assert.DoesNotContain(names, n => n.StartsWith('x'));
    }

    [Fact]
    public async Task ALargeTranscodedValue_GoesThroughTheStoreOnce_UnderTheNameWithoutTranscoding()
    {
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 2 });
        var catalog = new DataCatalog();
        catalog.AddValues([new("size", 200_000)]);
        var pipeline = new Pipeline([
            Node.Create((int size) => Enumerable.Range(0, size).Select(i => (byte)i).ToArray(), "size", "blob@bytes", name: "produce"),
            Node.Create((byte[] blob) => blob.Sum(b => (long)b), "blob@bytes", "sum_a", name: "sum_a"),
            Node.Create((byte[] blob) => blob.Length, "blob@raw", "length_b", name: "length_b"),
        ]);

        var result = await runner.RunAsync(pipeline, catalog).WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(0, 200_000).Sum(i => (long)(byte)i), result["sum_a"]);
        Assert.Equal(200_000, result["length_b"]);
        Assert.Equal(["length_b", "sum_a"], (await runner.ListStoreAsync()).Names.Order(StringComparer.Ordinal)); // the free outputs stay; blob is released
    }
}
