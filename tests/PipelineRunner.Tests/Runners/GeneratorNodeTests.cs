using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;
using PipelineRunner.Datasets;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;
using PipelineRunner.Tests.Catalog;

namespace PipelineRunner.Tests.Runners;

/// <summary>Generator nodes (Kedro's generator functions): chunks saved as they come, by every in-process runner.</summary>
public sealed class GeneratorNodeTests : TempDirectoryTest
{
    public sealed record Row(int Id, string Name);

    public sealed record Split(int Train, string Test);

    /// <summary>A dataset that keeps every saved value in order and logs each save into a shared timeline.</summary>
    private sealed class ChunkDataset(string name, ConcurrentQueue<string> timeline, Action<object?>? onSave = null) : IDataset
    {
        public ConcurrentQueue<object?> Saved { get; } = new();

        public bool IsEphemeral => false;

        public ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Saved.LastOrDefault());

        public ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
        {
            timeline.Enqueue($"save:{name}={data}");
            Saved.Enqueue(data);
            onSave?.Invoke(data);
            return default;
        }

        public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(!Saved.IsEmpty);

        public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => default;

        public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?> { ["type"] = nameof(ChunkDataset) };
    }

    // The iterator methods below are static (method groups, as a pipeline would use them) and log here; xunit runs
    // the tests of one class one at a time, and each test that reads it sets a fresh queue.
    private static ConcurrentQueue<string> s_timeline = new();

    private static IEnumerable<int> ThreeChunks(int start)
    {
        for (var i = 0; i < 3; i++)
        {
            s_timeline.Enqueue($"yield:{start + i}");
            yield return start + i;
        }
    }

    private static async IAsyncEnumerable<int> ThreeChunksAsync(int start, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < 3; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            s_timeline.Enqueue($"yield:{start + i}");
            yield return start + i;
        }
    }

    private static IEnumerable<(int, string)> Pairs(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            yield return (i, new string('x', i));
        }
    }

    private static IEnumerable<List<Row>> RowChunks(int chunks)
    {
        for (var c = 0; c < chunks; c++)
        {
            yield return [new Row(c * 2, $"row{c * 2}"), new Row((c * 2) + 1, $"row{(c * 2) + 1}")];
        }
    }

    private static IEnumerable<Split> Splits(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            yield return new Split(i, $"t{i}");
        }
    }

    private static int[] Values(ChunkDataset dataset) => [.. dataset.Saved.Cast<int>()];

    private static IEnumerable<int> FailsAfterTwo(int start)
    {
        yield return start;
        yield return start + 1;
        throw new InvalidOperationException("source went away");
    }

    private static DataCatalog CatalogWith(params (string Name, IDataset Dataset)[] datasets) => CatalogWith(10, datasets);

    private static DataCatalog CatalogWith(int start, params (string Name, IDataset Dataset)[] datasets)
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("start", start)]);
        foreach (var (name, dataset) in datasets)
        {
            catalog.Add(name, dataset);
        }

        return catalog;
    }

    [Fact]
    public void IteratorMethods_AreGenerators_ButALambdaReturningAList_IsOneValue()
    {
        var iterator = Node.Create(ThreeChunks, "start", "out");
        var asyncIterator = Node.Create(ThreeChunksAsync, "start", "out");
        var list = Node.Create((int start) => new List<int> { start, start + 1 }, "start", "out");
        var query = Node.Create((int start) => Enumerable.Range(start, 3), "start", "out");

        Assert.True(iterator.IsGenerator);
        Assert.True(asyncIterator.IsGenerator);
        Assert.False(list.IsGenerator);
        Assert.False(query.IsGenerator);
        // A generator's declared output type is the chunk's; a list's is the list.
        Assert.Equal(typeof(int), iterator.OutputTypes[0]);
        Assert.Equal(typeof(int), asyncIterator.OutputTypes[0]);
        Assert.Equal(typeof(List<int>), list.OutputTypes[0]);
        Assert.Equal(typeof(IEnumerable<int>), query.OutputTypes[0]);
    }

    [Fact]
    public void AnIteratorSeenAsReturningObject_IsOneValue()
    {
        Func<int, object> untyped = ThreeChunks;

        var node = Node.Create(untyped, "start", "out");

        Assert.False(node.IsGenerator);
        Assert.Null(node.OutputTypes[0]);
    }

    [Fact]
    public async Task LambdaReturningAList_IsSavedAsOneValue()
    {
        var timeline = new ConcurrentQueue<string>();
        var output = new ChunkDataset("out", timeline);
        var node = Node.Create((int start) => new List<int> { start, start + 1, start + 2 }, "start", "out");

        await new SequentialRunner().RunAsync(new Pipeline([node]), CatalogWith(("out", output)));

        var saved = Assert.Single(output.Saved);
        Assert.Equal([10, 11, 12], Assert.IsType<List<int>>(saved));
    }

    [Fact]
    public async Task IteratorNode_SavesEachChunkBeforeTheNextIsYielded()
    {
        var timeline = new ConcurrentQueue<string>();
        s_timeline = timeline;
        var output = new ChunkDataset("out", timeline);

        await new SequentialRunner().RunAsync(new Pipeline([Node.Create(ThreeChunks, "start", "out")]), CatalogWith(("out", output)));

        Assert.Equal([10, 11, 12], Values(output));
        Assert.Equal(["yield:10", "save:out=10", "yield:11", "save:out=11", "yield:12", "save:out=12"], timeline);
    }

    [Fact]
    public async Task AsyncIteratorNode_SavesEachChunkAsItComes_UnderTheThreadRunner()
    {
        var timeline = new ConcurrentQueue<string>();
        s_timeline = timeline;
        var output = new ChunkDataset("out", timeline);

        await new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 2 })
            .RunAsync(new Pipeline([Node.Create(ThreeChunksAsync, "start", "out")]), CatalogWith(("out", output)));

        Assert.Equal(["yield:10", "save:out=10", "yield:11", "save:out=11", "yield:12", "save:out=12"], timeline);
    }

    [Fact]
    public async Task AsGenerator_MakesALambdaReturningASequenceAGenerator()
    {
        var timeline = new ConcurrentQueue<string>();
        var output = new ChunkDataset("out", timeline);
        var node = Node.Create((int start) => Enumerable.Range(start, 4), "start", "out").AsGenerator();

        Assert.True(node.IsGenerator);
        Assert.Equal(typeof(int), node.OutputTypes[0]);
        Assert.Same(node, node.AsGenerator());
        Assert.True(node.WithName("renamed").WithTags("t").IsGenerator);
        await new SequentialRunner().RunAsync(new Pipeline([node]), CatalogWith(("out", output)));

        Assert.Equal([10, 11, 12, 13], Values(output));
    }

    [Fact]
    public void AsGenerator_OnAFunctionNotReturningASequence_NamesTheFunctionAndType()
    {
        var error = Assert.Throws<ArgumentException>(() => Node.Create(Scale, "start", "out").AsGenerator());

        Assert.Contains("'Scale'", error.Message, StringComparison.Ordinal);
        Assert.Contains("returns Int32", error.Message, StringComparison.Ordinal);
        Assert.Contains("IAsyncEnumerable<T>", error.Message, StringComparison.Ordinal);

        static int Scale(int start) => start * 2;
    }

    [Fact]
    public async Task TupleChunks_GoToSeveralOutputs_EachChunkToEveryOutputInTurn()
    {
        var timeline = new ConcurrentQueue<string>();
        var numbers = new ChunkDataset("numbers", timeline);
        var texts = new ChunkDataset("texts", timeline);
        var node = Node.Create(Pairs, "start", new[] { "numbers", "texts" });
        var catalog = CatalogWith(3, ("numbers", numbers), ("texts", texts));

        Assert.Equal([typeof(int), typeof(string)], node.OutputTypes);
        await new SequentialRunner().RunAsync(new Pipeline([node]), catalog);

        Assert.Equal(["save:numbers=1", "save:texts=x", "save:numbers=2", "save:texts=xx", "save:numbers=3", "save:texts=xxx"], timeline);
    }

    [Fact]
    public async Task RecordChunks_GoToDictionaryOutputsByMemberName()
    {
        var timeline = new ConcurrentQueue<string>();
        var train = new ChunkDataset("train", timeline);
        var test = new ChunkDataset("test", timeline);
        var node = Node.Create(Splits, "start", new Dictionary<string, string> { ["Train"] = "train", ["Test"] = "test" });
        var catalog = CatalogWith(2, ("train", train), ("test", test));

        Assert.Equal([typeof(int), typeof(string)], node.OutputTypes);
        await new SequentialRunner().RunAsync(new Pipeline([node]), catalog);

        Assert.Equal(["save:train=1", "save:test=t1", "save:train=2", "save:test=t2"], timeline);
    }

    [Fact]
    public void PipelineTypeCheck_UsesTheChunkType()
    {
        var producer = Node.Create(ThreeChunks, "start", "numbers");
        var fits = Node.Create((int n) => n + 1, "numbers", "next");
        var doesNotFit = Node.Create((IEnumerable<int> all) => all.Sum(), "numbers", "total");

        _ = new Pipeline([producer, fits]);
        var error = Assert.Throws<DatasetTypeMismatchException>(() => new Pipeline([producer, doesNotFit]));
        Assert.Contains("numbers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryOutput_HoldsTheLastChunk_AsInKedro()
    {
        var pipeline = new Pipeline([
            Node.Create(ThreeChunks, "start", "numbers"),
            Node.Create((int n) => n * 100, "numbers", "result"),
        ]);

        var result = await new SequentialRunner().RunAsync(pipeline, CatalogWith());

        Assert.Equal(1200, result["result"]);
    }

    [Fact]
    public async Task ChunksAppendedToACsvFile_AreAllSeenByTheConsumer()
    {
        var catalog = CatalogConfiguration.FromYaml(
            """
            rows:
              type: pandas.CSVDataset
              filepath: rows.csv
              save_args:
                mode: a
            """,
            new CatalogLoadOptions { BaseDirectory = Root });
        catalog.AddValues([new("chunks", 3)]);
        var pipeline = new Pipeline([
            Node.Create(RowChunks, "chunks", "rows"),
            Node.Create((List<Row> rows) => string.Join(",", rows.Select(r => r.Id)), "rows", "ids"),
        ]);

        var result = await new SequentialRunner().RunAsync(pipeline, catalog);

        Assert.Equal("0,1,2,3,4,5", result["ids"]);
        var lines = File.ReadAllLines(PathOf("rows.csv"));
        Assert.Equal(["Id,Name", "0,row0", "1,row1", "2,row2", "3,row3", "4,row4", "5,row5"], lines);
    }

    [Fact]
    public async Task FailureMidIteration_KeepsTheSavedChunks_AndTheNodeFailsNamingTheCause()
    {
        var timeline = new ConcurrentQueue<string>();
        var output = new ChunkDataset("out", timeline);
        var node = Node.Create(FailsAfterTwo, "start", "out", name: "reader");

        var error = await Assert.ThrowsAsync<NodeExecutionException>(
            () => new SequentialRunner().RunAsync(new Pipeline([node]), CatalogWith(("out", output))));

        Assert.Equal("reader", error.NodeName);
        Assert.Equal("Node 'reader' failed: InvalidOperationException: source went away", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal([10, 11], Values(output));
    }

    [Fact]
    public async Task FailureMidIteration_IsLoggedWithTheNumberOfChunksKept()
    {
        var logger = new ListLogger<SequentialRunner>();
        var node = Node.Create(FailsAfterTwo, "start", "out", name: "reader");

        await Assert.ThrowsAsync<NodeExecutionException>(
            () => new SequentialRunner(logger: logger).RunAsync(new Pipeline([node]), CatalogWith(("out", new ChunkDataset("out", new())))));

        Assert.Contains(
            "Generator node 'reader' failed after saving 2 chunk(s); the saved chunks stay in its output datasets",
            logger.Messages);
    }

    [Fact]
    public async Task ARetriedGenerator_StartsAgainFromItsFirstChunk()
    {
        var attempts = 0;
        var output = new ChunkDataset("out", new ConcurrentQueue<string>());
        var node = Node.Create((int start) => Flaky(start), "start", "out").AsGenerator()
            .WithRetry(new RetryPolicy { MaxAttempts = 2, Delay = TimeSpan.Zero });

        await new SequentialRunner().RunAsync(new Pipeline([node]), CatalogWith(("out", output)));

        Assert.Equal(2, attempts);
        Assert.Equal([10, 10, 11], Values(output)); // documented: an appending dataset would get chunk 10 twice

        IEnumerable<int> Flaky(int start)
        {
            attempts++;
            yield return start;
            if (attempts == 1)
            {
                throw new TransientException("flaky source");
            }

            yield return start + 1;
        }
    }

    [Fact]
    public async Task ThreadRunner_RunsGeneratorsSideBySide_EachSavingItsOwnChunks()
    {
        var timeline = new ConcurrentQueue<string>();
        var left = new ChunkDataset("left", timeline);
        var right = new ChunkDataset("right", timeline);
        var pipeline = new Pipeline([
            Node.Create((int start) => Enumerable.Range(start, 50), "start", "left", name: "l").AsGenerator(),
            Node.Create((int start) => Enumerable.Range(start + 100, 50), "start", "right", name: "r").AsGenerator(),
            Node.Create((int l, int r) => l + r, new[] { "left", "right" }, "sum", name: "add"),
        ]);

        var result = await new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 2 })
            .RunAsync(pipeline, CatalogWith(("left", left), ("right", right)));

        Assert.Equal(Enumerable.Range(10, 50), Values(left));
        Assert.Equal(Enumerable.Range(110, 50), Values(right));
        Assert.Equal(59 + 159, result["sum"]); // the consumer loads each dataset's last chunk
    }

    [Fact]
    public async Task AChunkTheDatasetRefuses_FailsTheNodeNamingTheDataset()
    {
        var node = Node.Create((int start) => new string?[] { "a", null }, "start", "out", name: "nulls").AsGenerator();

        var error = await Assert.ThrowsAsync<NodeExecutionException>(
            () => new SequentialRunner().RunAsync(new Pipeline([node]), CatalogWith(("out", new ChunkDataset("out", new())))));

        Assert.Contains("Node 'nulls' failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("dataset 'out'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_StopsTheIterationAfterTheCurrentChunk_AndEndsTheFunction()
    {
        using var cts = new CancellationTokenSource();
        var ended = false;
        var timeline = new ConcurrentQueue<string>();
        var output = new ChunkDataset("out", timeline, _ => cts.Cancel());
        var node = Node.Create((int start) => Endless(start), "start", "out").AsGenerator();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new SequentialRunner().RunAsync(new Pipeline([node]), CatalogWith(("out", output)), cancellationToken: cts.Token));

        Assert.Equal([10], Values(output));
        Assert.True(ended); // the iterator was disposed: its finally ran

        IEnumerable<int> Endless(int start)
        {
            try
            {
                while (true)
                {
                    yield return start++;
                }
            }
            finally
            {
                ended = true;
            }
        }
    }

    [Fact]
    public async Task AsyncIterator_ReceivesTheRunsCancellationWhileWaitingForItsNextChunk()
    {
        using var cts = new CancellationTokenSource();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new ChunkDataset("out", new ConcurrentQueue<string>());
        var node = Node.Create(WaitsForever, "start", "out");

        Assert.True(node.IsGenerator);
        var run = new SequentialRunner().RunAsync(new Pipeline([node]), CatalogWith(("out", output)), cancellationToken: cts.Token);
        await waiting.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal([10], Values(output));

        async IAsyncEnumerable<int> WaitsForever(int start, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return start;
            waiting.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield return start + 1;
        }
    }

    private sealed class SequenceHook(ConcurrentQueue<string> timeline) : IRunHook
    {
        public ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
        {
            timeline.Enqueue($"after_node:{string.Join(",", outputs.Select(o => $"{o.Key}:{(o.Value is IEnumerable<(int, string)> ? "chunks" : o.Value)}"))}");
            return default;
        }

        public ValueTask BeforeDatasetSavedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            timeline.Enqueue($"before_save:{dataset.DatasetName}={data}");
            return default;
        }

        public ValueTask AfterDatasetSavedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken)
        {
            timeline.Enqueue($"after_save:{dataset.DatasetName}={data}");
            return default;
        }
    }

    [Fact]
    public async Task Hooks_AfterNodeRunsOnceBeforeTheFirstChunk_DatasetHooksRunPerChunk()
    {
        var timeline = new ConcurrentQueue<string>();
        var catalog = CatalogWith(2, ("numbers", new ChunkDataset("numbers", timeline)), ("texts", new ChunkDataset("texts", timeline)));

        await new SequentialRunner().RunAsync(
            new Pipeline([Node.Create(Pairs, "start", new[] { "numbers", "texts" })]),
            catalog,
            new RunOptions { Hooks = [new SequenceHook(timeline)] });

        Assert.Equal(
            [
                "after_node:numbers:chunks,texts:chunks",
                "before_save:numbers=1", "save:numbers=1", "after_save:numbers=1",
                "before_save:texts=x", "save:texts=x", "after_save:texts=x",
                "before_save:numbers=2", "save:numbers=2", "after_save:numbers=2",
                "before_save:texts=xx", "save:texts=xx", "after_save:texts=xx",
            ],
            timeline);
    }

    [Fact]
    public async Task NodeRunAsync_ReturnsEachOutputsChunksInOrder()
    {
        var outputs = await Node.Create(Pairs, "start", new[] { "numbers", "texts" })
            .RunAsync(new Dictionary<string, object?> { ["start"] = 2 });

        Assert.Equal([1, 2], Assert.IsAssignableFrom<IReadOnlyList<object?>>(outputs["numbers"]));
        Assert.Equal(["x", "xx"], Assert.IsAssignableFrom<IReadOnlyList<object?>>(outputs["texts"]));
    }

    [Fact]
    public async Task GeneratorWithoutOutputs_RunsToTheEnd()
    {
        var seen = new ConcurrentQueue<int>();
        var node = Node.Create((int start) => Touch(start), "start", null).AsGenerator();

        await new SequentialRunner().RunAsync(new Pipeline([node]), CatalogWith());

        Assert.Equal([10, 11], seen);

        IEnumerable<int> Touch(int start)
        {
            seen.Enqueue(start);
            yield return start;
            seen.Enqueue(start + 1);
        }
    }

    [Fact]
    public async Task TextDatasetInAppendMode_KeepsEveryChunk()
    {
        var path = PathOf("log.txt");
        var catalog = CatalogWith(("log", new TextDataset(path, FileWriteMode.Append)));
        var node = Node.Create((int start) => Enumerable.Range(start, 3).Select(i => $"line {i}\n"), "start", "log").AsGenerator();

        await new SequentialRunner().RunAsync(new Pipeline([node]), catalog);

        Assert.Equal("line 10\nline 11\nline 12\n", File.ReadAllText(path));
    }
}
