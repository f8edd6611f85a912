using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using PipelineRunner.Distributed.Client;

namespace PipelineRunner.Distributed.Tests;

/// <summary>A bulk endpoint that accepts a transfer and then goes silent fails it within the silence bound.</summary>
public sealed class BulkSilenceTests
{
    [Fact]
    public async Task AFetchFromABulkEndpointThatStopsAnswering_FailsAsUnavailable_WithinTheBound()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptSocketAsync(); // accepts, reads nothing, answers nothing: a frozen scheduler
        using var bulk = new BulkStoreClient(new DnsEndPoint("127.0.0.1", port), TimeSpan.FromSeconds(10), useTls: false, new PipelineRunner.Distributed.Client.SchedulerClientSecurity(), TimeSpan.FromSeconds(1));

        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            bulk.GetAsync<int>("blob", _ => 0, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(Grpc.Core.StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(
            $"The store's bulk endpoint at 127.0.0.1:{port} failed while fetching dataset 'blob': The scheduler's bulk endpoint at 127.0.0.1:{port} stopped answering: nothing sent or received for 1 s.",
            ex.Status.Detail);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        (await accepted).Dispose();
    }

    [Fact]
    public async Task TheSilenceLimit_RunsOnTheClientsClock()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptSocketAsync(); // a frozen scheduler, as above
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var bulk = new BulkStoreClient(
            new DnsEndPoint("127.0.0.1", port), TimeSpan.FromSeconds(10), useTls: false, new SchedulerClientSecurity(), TimeSpan.FromMinutes(5), clock);

        var fetch = bulk.GetAsync<int>("blob", _ => 0, null, CancellationToken.None);
        using var frozen = await accepted;
        await Task.Delay(200); // real time passes: nothing fails, the limit is five minutes on the fake clock
        Assert.False(fetch.IsCompleted);
        // The read's deadline starts when the read does: advance a minute at a time until the fetch gives up.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!fetch.IsCompleted && DateTime.UtcNow < deadline)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(fetch, Task.Delay(20));
        }

        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => fetch.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.EndsWith("stopped answering: nothing sent or received for 300 s.", ex.Status.Detail, StringComparison.Ordinal);
    }
}
