using PipelineRunner.Runners.Internal;

namespace PipelineRunner.Tests.Runners;

/// <summary>The run-owned threads behind <see cref="PipelineRunner.Runners.ThreadRunner"/>.</summary>
public class NodeThreadsTests
{
    [Theory]
    [InlineData(16, 16)]
    [InlineData(4, 16)]
    public void EveryPostedItem_GetsAThread_UpToTheLimit(int limit, int items)
    {
        // Items posted back to back, each blocking until `limit` of them run together: they only finish if each post
        // was matched with its own thread while fewer than `limit` were busy.
        using var barrier = new Barrier(limit);
        using var done = new CountdownEvent(items);
        var failures = 0;
        var peak = 0;
        var running = 0;
        using (var threads = new NodeThreads(limit))
        {
            for (var i = 0; i < items; i++)
            {
                threads.Post(() =>
                {
                    var now = Interlocked.Increment(ref running);
                    int seen;
                    while ((seen = Volatile.Read(ref peak)) < now && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                    {
                    }

                    if (!barrier.SignalAndWait(TimeSpan.FromSeconds(5)))
                    {
                        Interlocked.Increment(ref failures);
                    }

                    Interlocked.Decrement(ref running);
                    done.Signal();
                });
            }

            Assert.True(done.Wait(TimeSpan.FromSeconds(30)), "not every item ran");
        }

        Assert.Equal(0, failures);
        Assert.Equal(limit, peak);
    }

    [Fact]
    public void ItemsPostedBackToBack_NeverWaitBehindABusyThread()
    {
        // The race a review found in an earlier version: a thread just started counted as idle until it took its
        // first item, so items posted right after it queued behind it (about 1 round in 6 here). 200 rounds.
        const int parallel = 4;
        for (var round = 0; round < 200; round++)
        {
            using var threads = new NodeThreads(parallel);
            using var barrier = new Barrier(parallel);
            using var done = new CountdownEvent(parallel);
            var together = 0;
            for (var i = 0; i < parallel; i++)
            {
                threads.Post(() =>
                {
                    if (barrier.SignalAndWait(TimeSpan.FromSeconds(5)))
                    {
                        Interlocked.Increment(ref together);
                    }

                    done.Signal();
                });
            }

            Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
            Assert.True(together == parallel, $"round {round}: only {together} of {parallel} items ran together");
        }
    }
}
