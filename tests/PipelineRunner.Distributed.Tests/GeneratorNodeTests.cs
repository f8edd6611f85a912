using System.Collections.Concurrent;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// Generator nodes on workers: the worker runs nodes through the same <see cref="PipelineRun"/>, so each chunk is saved
/// as it comes, appended to a file dataset the worker opens from its catalog definition, and replacing the last in the
/// store.
/// </summary>
public sealed class GeneratorNodeTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pr-gen-" + Guid.NewGuid().ToString("N"));
    private DistributedRunner _runner = null!;

    public sealed record Row(int Id, string Name);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 1 });
        return _runner.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _runner.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static IEnumerable<List<Row>> RowChunks(int chunks)
    {
        for (var c = 0; c < chunks; c++)
        {
            yield return [new Row(c * 2, $"row{c * 2}"), new Row((c * 2) + 1, $"row{(c * 2) + 1}")];
        }
    }

    private static async IAsyncEnumerable<byte[]> Blobs(int small)
    {
        await Task.Yield();
        yield return Filled(small, 1); // rides inline in the completion message
        yield return Filled(200_000, 2); // over the inline limit: published to the store while the node runs
    }

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }

    [Fact]
    public async Task GeneratorOnAWorker_AppendsEachChunkToACsvFile_AndTheConsumerSeesEveryRow()
    {
        var catalog = AppendingCsvCatalog();
        catalog.AddValues([new("chunks", 3)]);
        var pipeline = new Pipeline([
            Node.Create(RowChunks, "chunks", "rows", name: "produce"),
            Node.Create((List<Row> rows) => string.Join(",", rows.Select(r => r.Id)), "rows", "ids", name: "consume"),
        ]);

        var result = await _runner.RunAsync(pipeline, catalog).WaitAsync(Timeout);

        Assert.Equal("0,1,2,3,4,5", result["ids"]);
        Assert.Equal(
            ["Id,Name", "0,row0", "1,row1", "2,row2", "3,row3", "4,row4", "5,row5"],
            await File.ReadAllLinesAsync(Path.Combine(_directory, "rows.csv")));
    }

    [Fact]
    public async Task GeneratorOnAWorker_ToTheStore_KeepsTheLastChunk_EvenWhenAnEarlierOneRodeInline()
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("small", 10)]);
        var pipeline = new Pipeline([
            Node.Create(Blobs, "small", "blob", name: "produce"),
            Node.Create((byte[] blob) => $"{blob.Length}:{blob[0]}", "blob", "summary", name: "consume"),
        ]);

        var expected = await new SequentialRunner().RunAsync(pipeline, catalog);
        var actual = await _runner.RunAsync(pipeline, catalog).WaitAsync(Timeout);

        Assert.Equal("200000:2", expected["summary"]);
        Assert.Equal(expected["summary"], actual["summary"]);
    }

    private sealed class SaveHook : IRunHook
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"after_node:{node.Node.Name}");
            return default;
        }

        public ValueTask AfterDatasetSavedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"saved:{dataset.DatasetName}={data}");
            return default;
        }
    }

    private static IEnumerable<int> Count(int to)
    {
        for (var i = 1; i <= to; i++)
        {
            yield return i;
        }
    }

    [Fact]
    public async Task GeneratorOnAWorker_CallsTheAfterNodeHookOnce_AndTheSavedHookPerChunk()
    {
        var hook = new SaveHook();
        var catalog = new DataCatalog();
        catalog.AddValues([new("to", 3)]);

        var result = await _runner.RunAsync(
            new Pipeline([Node.Create(Count, "to", "n", name: "count")]),
            catalog,
            new RunOptions { Hooks = [hook] }).WaitAsync(Timeout);

        Assert.Equal(3, result["n"]);
        Assert.Equal(["after_node:count", "saved:n=1", "saved:n=2", "saved:n=3"], hook.Calls);
    }

    [Fact]
    public async Task GeneratorOnAWorker_FailingMidIteration_FailsTheRunNamingTheNodeAndCause_AndKeepsTheSavedChunks()
    {
        var catalog = AppendingCsvCatalog();
        catalog.AddValues([new("chunks", 2)]);
        var pipeline = new Pipeline([Node.Create((int chunks) => FailsAfter(chunks), "chunks", "rows", name: "produce").AsGenerator()]);

        var error = await Assert.ThrowsAsync<NodeExecutionException>(() => _runner.RunAsync(pipeline, catalog).WaitAsync(Timeout));

        Assert.Equal("produce", error.NodeName);
        Assert.Contains("source went away", error.Message, StringComparison.Ordinal);
        Assert.Equal(["Id,Name", "0,row0", "1,row1", "2,row2", "3,row3"], await File.ReadAllLinesAsync(Path.Combine(_directory, "rows.csv")));

        static IEnumerable<List<Row>> FailsAfter(int chunks)
        {
            foreach (var chunk in RowChunks(chunks))
            {
                yield return chunk;
            }

            throw new InvalidOperationException("source went away");
        }
    }

    /// <summary>A catalog whose dataset <c>rows</c> is a CSV file in this test's folder that each save appends to.</summary>
    private DataCatalog AppendingCsvCatalog() => CatalogConfiguration.FromYaml(
        """
        rows:
          type: pandas.CSVDataset
          filepath: rows.csv
          save_args:
            mode: a
        """,
        new CatalogLoadOptions { BaseDirectory = _directory });
}
