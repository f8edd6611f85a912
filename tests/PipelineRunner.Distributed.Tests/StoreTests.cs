using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The scheduler's store on its own: lifetimes, leases and buffer reuse.</summary>
public sealed class StoreTests
{
    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }

    [Fact]
    public void PublishIsIdempotentAndReleaseFreesTheBytes()
    {
        using var store = new DatasetStore();
        store.Put("x", Filled(100, 1), 100);
        store.Put("x", Filled(200, 2), 200);
        Assert.Equal(200, store.TotalBytes);
        Assert.Equal(["x"], store.Names);
        Assert.True(store.Release("x"));
        Assert.False(store.Release("x"));
        Assert.Equal(0, store.TotalBytes);
        Assert.Empty(store.Names);
    }

    [Fact]
    public void AReleaseDuringAFetch_NeverReusesBytesStillBeingRead()
    {
        using var store = new DatasetStore();
        var size = 1024 * 1024;
        store.Put("big", Filled(size, 7), size);
        Assert.True(store.TryAcquire("big", out var lease));
        using (lease)
        {
            store.Release("big");
            // A publish of the same size right after the release must not get the leased buffer.
            var next = store.Rent(size);
            Array.Fill(next, (byte)9);
            store.Put("other", next, size);
            Assert.All(lease.Memory.ToArray(), b => Assert.Equal(7, b));
        }

        // Once the lease ends, the buffer is offered for reuse, and dropped after the window.
        Assert.Equal(size, store.RecycledBytes);
        Assert.False(store.TryAcquire("big", out _));
    }

    [Fact]
    public async Task ConcurrentFetchesAndReleases_SeeWholeValuesOrNothing()
    {
        using var store = new DatasetStore();
        var size = 256 * 1024;
        var failures = 0;
        var stop = DateTime.UtcNow.AddSeconds(1);
        var writer = Task.Run(() =>
        {
            for (byte round = 1; DateTime.UtcNow < stop; round = (byte)(round % 250 + 1))
            {
                var buffer = store.Rent(size);
                Array.Fill(buffer, round);
                store.Put("v", buffer, size);
                store.Release("v");
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (DateTime.UtcNow < stop)
            {
                if (store.TryAcquire("v", out var lease))
                {
                    using (lease)
                    {
                        var span = lease.Memory.Span;
                        var first = span[0];
                        if (span.IndexOfAnyExcept(first) >= 0)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, failures);
        Assert.Equal(0, store.TotalBytes);
    }

    [Fact]
    public void RecycledBuffersAreDroppedAfterTheWindow_OnThePoolsClock()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var pool = new RecyclingBufferPool(TimeSpan.FromSeconds(2), clock);
        pool.Return(new byte[1024 * 1024]);
        Assert.Equal(1024 * 1024, pool.Bytes);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1024 * 1024, pool.Bytes); // still within the window: a similar publish would reuse it
        Assert.Equal(1024 * 1024, pool.Rent(1000 * 1024).Length);
        pool.Return(new byte[1024 * 1024]);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, pool.Bytes);
    }
}

/// <summary>Malformed run submissions get InvalidArgument naming what is wrong, and change nothing.</summary>
public sealed class SubmitRunValidationTests
{
    [Theory]
    [InlineData("cycle", "has circular dependencies among nodes such as [a, b]")]
    [InlineData("unknown", "Node 'a' of run 'r1' depends on unknown node 'ghost'.")]
    [InlineData("duplicate", "has an empty, over-long (over 1024 characters) or repeated node name 'a'")]
    public async Task MalformedGraphs_AreRejected(string kind, string message)
    {
        await using var scheduler = await Scheduling.SchedulerServer.StartAsync();
        using var channel = new PipelineRunner.Distributed.Client.SchedulerChannel(scheduler.Address, PipelineRunner.Distributed.Client.ChannelTimeouts.Default);
        var request = new Protocol.SubmitRunRequest { RunId = "r1" };
        var a = new Protocol.NodeSpec { Name = "a" };
        var b = new Protocol.NodeSpec { Name = "b" };
        switch (kind)
        {
            case "cycle":
                a.Dependencies.Add("b");
                b.Dependencies.Add("a");
                request.Nodes.Add(a);
                request.Nodes.Add(b);
                break;
            case "unknown":
                a.Dependencies.Add("ghost");
                request.Nodes.Add(a);
                break;
            default:
                request.Nodes.Add(a);
                request.Nodes.Add(new Protocol.NodeSpec { Name = "a" });
                break;
        }

        using var call = channel.Client.SubmitRun(request);
        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(message, ex.Status.Detail);
    }
}
