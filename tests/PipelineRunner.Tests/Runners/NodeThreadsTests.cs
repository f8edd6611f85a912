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
}
