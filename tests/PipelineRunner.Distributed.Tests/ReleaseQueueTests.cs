using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The driver's release batches: gathered for a while on the runner's clock, sent at once when flushed.</summary>
public sealed class ReleaseQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AFlush_SendsTheBatchAtOnce_WithoutWaitingForTheClock()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions());
        using var channel = new SchedulerChannel(scheduler.Address, ChannelTimeouts.Create("test", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        await channel.Store.PublishAsync("a", new System.Buffers.ReadOnlySequence<byte>(new byte[] { 1 }), CancellationToken.None);
        await using var releases = new ReleaseQueue(channel.Store, new FakeTimeProvider()); // a clock that never moves on its own

        releases.Enqueue("a");
        await releases.FlushAsync().WaitAsync(Timeout);

        Assert.Empty((await channel.Store.ListAsync(CancellationToken.None)).Names);
    }

    [Fact]
    public async Task WithoutAFlush_TheBatchIsSent_WhenTheBatchDelayHasPassedOnTheClock()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions());
        using var channel = new SchedulerChannel(scheduler.Address, ChannelTimeouts.Create("test", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        await channel.Store.PublishAsync("a", new System.Buffers.ReadOnlySequence<byte>(new byte[] { 1 }), CancellationToken.None);
        var clock = new FakeTimeProvider();
        await using var releases = new ReleaseQueue(channel.Store, clock);

        releases.Enqueue("a");
        await Task.Delay(200);
        Assert.Equal(["a"], (await channel.Store.ListAsync(CancellationToken.None)).Names); // still gathering
        var deadline = DateTime.UtcNow + Timeout;
        while ((await channel.Store.ListAsync(CancellationToken.None)).Names.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the batch was not sent after the batch delay");
            clock.Advance(ReleaseQueue.BatchDelay); // the batch's delay starts when the loop takes the release
            await Task.Delay(10);
        }
    }
}
