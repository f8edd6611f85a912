using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.Workers;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The store's memory limit: values beyond it spill to disk, come back on demand, and their files are cleaned up.</summary>
public sealed class StoreSpillTests : IDisposable
{
    private const int Kb = 1024;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pr-spill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Bytes that differ per seed and position, so a mix-up of values or offsets shows.</summary>
    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }

    private string[] SpillFiles() => Directory.Exists(_directory) ? Directory.GetFiles(_directory) : [];

    [Fact]
    public void ValuesBeyondTheLimit_SpillLeastRecentlyUsedFirst_ReadBackExactly_AndReleaseDeletesTheirFiles()
    {
        const int limit = 1_000_000;
        const int size = 400 * Kb;
        var store = new DatasetStore(limit, _directory);
        Assert.False(Directory.Exists(_directory)); // created on the first spill only
        for (var i = 0; i < 5; i++)
        {
            store.Put($"v{i}", Pattern(size, i), size);
            Assert.True(store.MemoryBytes <= limit, $"after v{i}: {store.MemoryBytes} bytes in memory, limit {limit}");
            Assert.Equal(store.TotalBytes, store.MemoryBytes + store.SpilledBytes);
        }

        // Two values fit; the three least recently used went to disk, as complete files (no temporary left).
        Assert.Equal(5L * size, store.TotalBytes);
        Assert.Equal(2L * size, store.MemoryBytes);
        Assert.Equal(3L * size, store.SpilledBytes);
        Assert.Equal([false, false, false, true, true], Enumerable.Range(0, 5).Select(i => store.IsInMemory($"v{i}")));
        var files = SpillFiles();
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.EndsWith(".spill", f, StringComparison.Ordinal));
        Assert.All(files, f => Assert.Equal(size, new FileInfo(f).Length));
        Assert.Equal(3, store.SpillCount);

        // Every value reads back byte for byte. Reading a spilled one loads it and spills the least recently used:
        // reading v0 (memory v3, v4) spills v3, not v4.
        Assert.True(store.TryAcquire("v0", out var first));
        first.Dispose();
        Assert.Equal([true, false, false, false, true], Enumerable.Range(0, 5).Select(i => store.IsInMemory($"v{i}")));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(store.TryAcquire($"v{i}", out var lease));
            using (lease)
            {
                Assert.Equal(Pattern(size, i), lease.Memory.ToArray());
                Assert.True(store.IsInMemory($"v{i}"));
            }

            Assert.True(store.MemoryBytes <= limit, $"after reading v{i}: {store.MemoryBytes} bytes in memory");
            Assert.Equal(5L * size, store.TotalBytes);
        }

        // Loads: v0 before the loop (in the loop it was in memory), then v1..v4, each spilled by the read before it.
        Assert.Equal(5, store.LoadCount);
        Assert.Equal(5, store.SpillCount); // a loaded value keeps its file: spilling it again costs no write
        Assert.Equal([false, false, false, true, true], Enumerable.Range(0, 5).Select(i => store.IsInMemory($"v{i}")));

        // Release deletes a value's file, spilled or loaded (a loaded value keeps its file as a clean copy).
        var before = SpillFiles().Length;
        Assert.True(store.Release("v0"));
        Assert.Equal(before - 1, SpillFiles().Length);
        for (var i = 1; i < 5; i++)
        {
            Assert.True(store.Release($"v{i}"));
        }

        Assert.Empty(SpillFiles());
        Assert.Equal((0L, 0L, 0L), (store.TotalBytes, store.MemoryBytes, store.SpilledBytes));
        Assert.Empty(store.Names);

        store.Dispose();
        Assert.False(Directory.Exists(_directory), "the spill folder the store created should be removed on dispose");
    }

    [Fact]
    public void Dispose_DeletesSpillFiles_AndKeepsAFolderItDidNotCreate()
    {
        Directory.CreateDirectory(_directory);
        var other = Path.Combine(_directory, "not-ours.txt");
        File.WriteAllText(other, "keep me");
        var store = new DatasetStore(100 * Kb, _directory);
        for (var i = 0; i < 4; i++)
        {
            store.Put($"v{i}", Pattern(80 * Kb, i), 80 * Kb);
        }

        Assert.Equal(4, SpillFiles().Length); // three spill files beside ours
        store.Dispose();

        Assert.Equal([other], SpillFiles());
        Assert.Equal("keep me", File.ReadAllText(other));
    }

    [Fact]
    public void ReplacingASpilledValue_DeletesItsFile_AndReadsTheNewBytes()
    {
        using var store = new DatasetStore(100 * Kb, _directory);
        store.Put("x", Pattern(80 * Kb, 1), 80 * Kb);
        store.Put("y", Pattern(80 * Kb, 2), 80 * Kb); // spills x
        Assert.False(store.IsInMemory("x"));
        var old = Assert.Single(SpillFiles());

        store.Put("x", Pattern(70 * Kb, 3), 70 * Kb); // replaces the spilled x, then spills y
        Assert.False(File.Exists(old));
        Assert.Equal(150L * Kb, store.TotalBytes);
        Assert.True(store.TryAcquire("x", out var lease));
        using (lease)
        {
            Assert.Equal(Pattern(70 * Kb, 3), lease.Memory.ToArray());
        }
    }

    [Fact]
    public void AValueLargerThanTheLimit_IsAccepted_SpilledOnceUnread_AndInMemoryOnlyWhileRead()
    {
        using var store = new DatasetStore(1024 * Kb, _directory);
        var size = 3 * 1024 * Kb;
        store.Put("huge", Pattern(size, 9), size);
        Assert.Equal((0L, (long)size), (store.MemoryBytes, store.SpilledBytes));

        Assert.True(store.TryAcquire("huge", out var lease));
        using (lease)
        {
            Assert.Equal(size, store.MemoryBytes); // a read lease keeps it in memory, over the limit
            Assert.Equal(Pattern(size, 9), lease.Memory.ToArray());
        }

        Assert.Equal(0, store.MemoryBytes); // dropped again (its file is a clean copy: no second write)
        Assert.Equal(1, store.SpillCount);
        Assert.Equal(1, store.LoadCount);
    }

    [Fact]
    public void TryCopy_ReadsASmallSpilledValueFromItsFile_WithoutLoadingIt()
    {
        using var store = new DatasetStore(100 * Kb, _directory);
        store.Put("small", Pattern(1000, 4), 1000);
        store.Put("big", Pattern(100 * Kb, 5), 100 * Kb); // over the limit: spills "small" (least recently used) first
        Assert.False(store.IsInMemory("small"));

        Assert.True(store.TryCopy("small", 64 * Kb, out var copy));
        Assert.Equal(Pattern(1000, 4), copy);
        Assert.False(store.IsInMemory("small"));
        Assert.Equal(0, store.LoadCount);

        Assert.True(store.TryCopy("big", 64 * Kb, out var tooBig));
        Assert.Null(tooBig);
        Assert.False(store.TryCopy("absent", 64 * Kb, out _));
    }

    [Fact]
    public void ALeasedValue_IsNeitherSpilledNorFreed_WhileTheLeaseLasts()
    {
        const int size = 600 * Kb;
        using var store = new DatasetStore(1024 * Kb, _directory);
        store.Put("a", Filled(size, 7), size);
        Assert.True(store.TryAcquire("a", out var lease));
        using (lease)
        {
            store.Put("b", Filled(size, 8), size); // over the limit: "a" is least recently used but leased, so "b" goes
            Assert.True(store.IsInMemory("a"));
            Assert.False(store.IsInMemory("b"));

            store.Release("a");
            for (var i = 0; i < 3; i++)
            {
                // Publishes of the same size right after the release must not get the leased buffer.
                var next = store.Rent(size);
                Array.Fill(next, (byte)9);
                store.Put($"c{i}", next, size);
            }

            Assert.True(store.TryAcquire("b", out var other)); // loads "b", spilling others, never the leased bytes
            other.Dispose();
            Assert.All(lease.Memory.ToArray(), b => Assert.Equal(7, b));
        }

        // Once the lease ends, the released buffer is offered for reuse.
        Assert.True(store.RecycledBytes >= size);
        Assert.False(store.TryAcquire("a", out _));
    }

    [Fact]
    public async Task ConcurrentPublishesReadsReleasesAndSpills_SeeWholeValuesOrNothing()
    {
        const int size = 128 * Kb;
        using var store = new DatasetStore(300 * Kb, _directory); // two values fit: nearly every publish spills
        string[] names = ["p", "q", "r", "s"];
        var failures = 0;
        var reads = 0;
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (var round = 0; round < 1000; round++)
            {
                var name = names[(round + w) % names.Length];
                var buffer = store.Rent(size);
                Array.Fill(buffer, (byte)(1 + (round % 250)), 0, size);
                store.Put(name, buffer, size);
                if (round % 3 == w)
                {
                    store.Release(name);
                }
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            for (var i = 0; !writers.All(t => t.IsCompleted); i++)
            {
                if (store.TryAcquire(names[(i + r) % names.Length], out var lease))
                {
                    using (lease)
                    {
                        // Checked three times, with publishes (reusing freed buffers) and spills going on in between.
                        var first = lease.Memory.Span[0];
                        for (var check = 0; check < 3; check++)
                        {
                            var span = lease.Memory.Span;
                            if (span.Length != size || first == 0 || span.IndexOfAnyExcept(first) >= 0)
                            {
                                Interlocked.Increment(ref failures);
                            }

                            Thread.Sleep(1);
                        }

                        Interlocked.Increment(ref reads);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll([.. writers, .. readers]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, failures);
        Assert.True(reads > 0, "the readers should have found values");
        Assert.True(store.SpillCount > 0, "the small limit should have made the store spill");
        Assert.Equal(store.TotalBytes, store.MemoryBytes + store.SpilledBytes);
        Assert.True(store.MemoryBytes <= 300 * Kb, $"{store.MemoryBytes} bytes in memory once no one reads");
        foreach (var name in names)
        {
            store.Release(name);
        }

        Assert.Equal((0L, 0L, 0L), (store.TotalBytes, store.MemoryBytes, store.SpilledBytes));
        Assert.Empty(SpillFiles());
    }

    [Fact]
    public void TheDefaultSpillFolder_IsAFreshTemporaryFolder_CreatedOnlyWhenNeeded()
    {
        using var store = new DatasetStore(1024 * Kb);
        var folder = Path.GetFileName(store.SpillDirectory);
        Assert.StartsWith($"pipelinerunner-spill-{Environment.ProcessId}-", folder, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(Path.GetTempPath()).TrimEnd(Path.DirectorySeparatorChar), Path.GetDirectoryName(store.SpillDirectory));
        store.Put("x", Filled(1000, 1), 1000);
        Assert.False(Directory.Exists(store.SpillDirectory));
    }

    [Fact]
    public void SchedulerOptions_MemoryLimit_DefaultsToAShareOfMemory_AndRejectsZeroOrNegative()
    {
        var options = new SchedulerOptions();
        Assert.True(options.MaxStoreMemoryBytes >= 64L * 1024 * 1024, $"default {options.MaxStoreMemoryBytes}");
        Assert.Null(options.SpillDirectory);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxStoreMemoryBytes = 0);
        Assert.Contains("must be a non-negative and non-zero value", zero.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxStoreMemoryBytes = -1);
    }

    private static byte[] MakeBlob(int megabytes, int seed) => Pattern(megabytes * 1024 * 1024, seed);

    private static byte[] Mix(byte[] a, byte[] b, byte[] c, byte[] d, byte[] e, byte[] f)
    {
        var mixed = new byte[a.Length];
        for (var i = 0; i < mixed.Length; i++)
        {
            mixed[i] = (byte)(a[i] ^ b[i] ^ c[i] ^ d[i] ^ e[i] ^ f[i]);
        }

        return mixed;
    }

    /// <summary>Six 4 MB blobs all read by one node (24 MB alive at once), their checksums, and three more 4 MB values (byte[] and double[]).</summary>
    private static Pipeline SpillingPipeline() => new([
        .. Enumerable.Range(1, 6).Select(k => Node.Create((int mb) => MakeBlob(mb, k), "params:blob_mb", $"blob_{k}", name: $"make{k}")),
        Node.Create(Mix, new[] { "blob_1", "blob_2", "blob_3", "blob_4", "blob_5", "blob_6" }, "mixed", name: "mix"),
        .. Enumerable.Range(1, 6).Select(k => Node.Create((byte[] blob) => blob.Aggregate(0L, (sum, b) => sum + b), $"blob_{k}", $"sum_{k}", name: $"checksum{k}")),
        Node.Create((byte[] mixed) => mixed.Take(512 * 1024).Select(b => b / 255.0).ToArray(), "mixed", "scaled", name: "scale"),
        Node.Create((double[] scaled) => scaled.Sum(), "scaled", "scaled_sum", name: "sum_scaled"),
        Node.Create((byte[] mixed) => mixed.Reverse().ToArray(), "mixed", "reversed", name: "reverse"),
    ]);

    private static DataCatalog SpillingCatalog()
    {
        var catalog = new DataCatalog();
        catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 4L });
        return catalog;
    }

    [Fact]
    public async Task DistributedRun_WithIntermediatesOverTheMemoryLimit_CompletesEqualToSequential_AndCleansUp()
    {
        const long limit = 8 * 1024 * 1024;
        var pipeline = SpillingPipeline();
        var expected = await new SequentialRunner().RunAsync(pipeline, SpillingCatalog());

        var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { MaxStoreMemoryBytes = limit, SpillDirectory = _directory });
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(1, 2)
            .Select(i => new PipelineWorker(new WorkerOptions { SchedulerAddress = scheduler.Address, WorkerId = $"spill-{i}" }, new PipelineNodeResolver([pipeline])))
            .Select(worker => Task.Run(() => worker.RunAsync(stop.Token)))
            .ToArray();
        try
        {
            await using (var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = scheduler.Address }))
            {
                var actual = await runner.RunAsync(pipeline, SpillingCatalog()).WaitAsync(TimeSpan.FromSeconds(120));

                Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
                foreach (var key in expected.Keys)
                {
                    Assert.Equal(expected[key], actual[key]);
                }

                Assert.Equal(4 * 1024 * 1024, Assert.IsType<byte[]>(actual["reversed"]).Length);
                Assert.True(scheduler.Store.SpillCount > 0, "intermediates of 36 MB over an 8 MB limit should have spilled");
                Assert.True(scheduler.Store.LoadCount > 0, "spilled inputs should have been loaded back");

                // The free outputs stay published until released; then the store and the spill folder are empty.
                await runner.ReleaseStoreAsync(actual.Keys);
                var (names, bytes) = await runner.ListStoreAsync();
                Assert.Empty(names);
                Assert.Equal(0, bytes);
                Assert.Equal((0L, 0L), (scheduler.StoreMemoryBytes, scheduler.StoreSpilledBytes));
                Assert.Equal(_directory, scheduler.SpillDirectory);
                Assert.True(Directory.Exists(_directory));
                Assert.Empty(SpillFiles());
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
            await scheduler.DisposeAsync();
        }

        Assert.False(Directory.Exists(_directory), "the scheduler should remove the spill folder it created");
    }
}
