using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Runners;

public class RunOnlyMissingTests
{
    // a -> n1 -> b(persisted) -> n2 -> c(memory) -> n3 -> d(persisted)
    private static (Pipeline, ConcurrentQueue<string> Ran) Pipe()
    {
        var ran = new ConcurrentQueue<string>();
        return (new Pipeline([
            Node.Create((int a) => { ran.Enqueue("n1"); return a + 1; }, "a", "b", name: "n1"),
            Node.Create((int b) => { ran.Enqueue("n2"); return b + 1; }, "b", "c", name: "n2"),
            Node.Create((int c) => { ran.Enqueue("n3"); return c + 1; }, "c", "d", name: "n3"),
        ]), ran);
    }

    [Fact]
    public async Task SkipsNodesWhosePersistedOutputsExist()
    {
        var (pipeline, ran) = Pipe();
        var events = new ConcurrentQueue<string>();
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        catalog.Add("b", new RecordingDataset("b", events, initial: 10, hasInitial: true));
        var d = new RecordingDataset("d", events);
        catalog.Add("d", d);
        await new SequentialRunner().RunOnlyMissingAsync(pipeline, catalog);
        Assert.Equal(["n2", "n3"], ran);
        Assert.Equal(12, d.Value);
    }

    [Fact]
    public async Task SaysAtDebugWhyEachNodeRunsOrIsSkipped()
    {
        var (pipeline, _) = Pipe();
        var events = new ConcurrentQueue<string>();
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        catalog.Add("b", new RecordingDataset("b", events, initial: 10, hasInitial: true));
        catalog.Add("d", new RecordingDataset("d", events));
        var logger = new ListLogger<SequentialRunner>();

        await new SequentialRunner(logger: logger).RunOnlyMissingAsync(pipeline, catalog);

        Assert.Contains((Microsoft.Extensions.Logging.LogLevel.Debug, "Node 'n3' must run: a persisted output of it is missing"), logger.Entries);
        Assert.Contains((Microsoft.Extensions.Logging.LogLevel.Debug, "Node 'n2' must run: a node that runs needs an output of it that is not persisted"), logger.Entries);
        Assert.Contains((Microsoft.Extensions.Logging.LogLevel.Debug, "Node 'n1' can be skipped: its outputs exist and no node that runs needs them"), logger.Entries);
    }

    [Fact]
    public async Task NothingMissing_RunsNothing()
    {
        var (pipeline, ran) = Pipe();
        var events = new ConcurrentQueue<string>();
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        catalog.Add("b", new RecordingDataset("b", events, initial: 10, hasInitial: true));
        catalog.Add("d", new RecordingDataset("d", events, initial: 12, hasInitial: true));
        var logger = new ListLogger<SequentialRunner>();
        var result = await new SequentialRunner(logger: logger).RunOnlyMissingAsync(pipeline, catalog);
        Assert.Empty(ran);
        Assert.Empty(result);
        Assert.Contains("Skipping all 3 nodes (all persistent outputs exist)", logger.Messages);
    }

    [Fact]
    public async Task ReusesDefaultDatasetsPublishedByAnEarlierRun()
    {
        // A runner whose default datasets outlive the run (like the distributed store) reuses them.
        var store = new ConcurrentDictionary<string, RecordingDataset>();
        var events = new ConcurrentQueue<string>();
        var runner = new StoreRunner(store, events);
        var (pipeline, ran) = Pipe();
        var catalog = new DataCatalog();
        catalog.AddValues([new("a", 1)]);
        var first = await runner.RunAsync(pipeline, catalog);
        Assert.Equal(4, first["d"]);
        Assert.Equal(["n1", "n2", "n3"], ran);
        while (ran.TryDequeue(out _))
        {
        }

        store.TryRemove("d", out _);
        var second = await runner.RunOnlyMissingAsync(pipeline, catalog);
        Assert.Equal(["n3"], ran);
        Assert.Equal(4, second["d"]);
    }

    private sealed class StoreRunner(ConcurrentDictionary<string, RecordingDataset> store, ConcurrentQueue<string> events) : AbstractRunner(null, null)
    {
        public override IDataset CreateDefaultDataset(string datasetName) => store.GetOrAdd(datasetName, n => new RecordingDataset(n, events));

        protected override Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken) => run.ExecuteAsync(1, cancellationToken);
    }
}
