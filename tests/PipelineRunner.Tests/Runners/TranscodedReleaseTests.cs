using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Runners;

/// <summary>
/// When transcoded names (<c>x@a</c>, <c>x@b</c>) are released: as Kedro 1.x's <c>_release_datasets</c> does, each name
/// by its own load count, inputs then outputs in the node's order; names backed by one dataset object together.
/// </summary>
public sealed class TranscodedReleaseTests
{
    private static Pipeline ProduceThenConsume() => new([
        Node.Create((int a) => a + 1, "a", "x@a", name: "produce"),
        Node.Create((int c, int b) => c + b, new[] { "x@c", "x@b" }, "y", name: "consume"),
        Node.Create((int y) => y * 10, "y", "z", name: "final"),
    ]);

    [Fact]
    public async Task SeparateTranscodedDatasets_AreReleasedEachByItsOwnLoadCount_InTheNodesOrder_AsKedroDoes()
    {
        var events = new ConcurrentQueue<string>();
        var catalog = new DataCatalog();
        catalog.Add("a", new RecordingDataset("a", events, initial: 1, hasInitial: true));
        catalog.Add("x@a", new RecordingDataset("x@a", events));
        catalog.Add("x@b", new RecordingDataset("x@b", events, initial: 2, hasInitial: true)); // one file, read another way
        catalog.Add("x@c", new RecordingDataset("x@c", events, initial: 2, hasInitial: true));

        var result = await new RecordingRunner(events).RunAsync(ProduceThenConsume(), catalog);

        Assert.Equal(40, result["z"]);
        Assert.Equal(
            [
                "load:a", "save:x@a", "release:x@a", // nothing loads x@a: released after its producer
                "load:x@c", "load:x@b", "save:y", "release:x@c", "release:x@b", // the consumer's inputs, in its order
                "load:y", "save:z", "release:y", // z is a free output: never released
            ],
            events.Where(e => e != "load:z")); // the run's result reads z
    }

    [Fact]
    public async Task TranscodedNamesSharingOneDataset_AreReleasedTogether_OnceNoneIsLoaded()
    {
        var events = new ConcurrentQueue<string>();
        var catalog = new DataCatalog();
        catalog.Add("a", new RecordingDataset("a", events, initial: 1, hasInitial: true));

        // x@a, x@b and x@c are not in the catalog: the runner gives them one default dataset (ephemeral, recorded as "x").
        var result = await new RecordingRunner(events).RunAsync(ProduceThenConsume(), catalog);

        Assert.Equal(40, result["z"]); // releasing x after "produce", as Kedro would release x@a, would lose the value
        Assert.Equal(
            [
                "load:a", "save:x", // x@a: its load count is zero, but x@c and x@b still read the same dataset
                "load:x", "load:x", "save:y", "release:x", "release:x", "release:x", // all three names, once none is loaded
                "load:y", "save:z", "release:y", "load:z",
            ],
            events);
    }

    [Fact]
    public async Task ATranscodedFreeOutput_IsNeverReleased_AndAFreeInputNeither()
    {
        var events = new ConcurrentQueue<string>();
        var catalog = new DataCatalog();
        catalog.Add("in@a", new RecordingDataset("in@a", events, initial: 1, hasInitial: true));
        catalog.Add("in@b", new RecordingDataset("in@b", events, initial: 2, hasInitial: true));
        catalog.Add("out@a", new RecordingDataset("out@a", events));
        var pipeline = new Pipeline([
            Node.Create((int a) => a, "in@a", "out@a", name: "first"),
            Node.Create((int b) => b, "in@b", "mid", name: "second"),
            Node.Create((int m) => m, "mid", "end", name: "third"),
        ]);

        await new RecordingRunner(events).RunAsync(pipeline, catalog);

        Assert.DoesNotContain(events, e => e.StartsWith("release:in", StringComparison.Ordinal) || e.StartsWith("release:out", StringComparison.Ordinal));
        Assert.Contains("release:mid", events);
    }

    private sealed class RecordingRunner(ConcurrentQueue<string> events) : AbstractRunner(null, null)
    {
        public override IDataset CreateDefaultDataset(string datasetName) => new RecordingDataset(datasetName, events, ephemeral: true);

        protected override Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken) => run.ExecuteAsync(1, cancellationToken);
    }
}
