using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The scheduler's read-only Status RPC: workers with slots, busy slots and heartbeat age; runs with progress; store use.</summary>
public sealed class SchedulerStatusTests
{
    [Fact]
    public async Task Status_ShowsWorkers_RunsInProgress_AndStoreUse()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { MaxStoreMemoryBytes = 1_000_000 });
        using var channel = GrpcChannel.ForAddress(scheduler.Address);
        var client = new Protocol.Scheduler.SchedulerClient(channel);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // A store value of 1,000 bytes.
        using (var publish = client.Publish(cancellationToken: stop.Token))
        {
            await publish.RequestStream.WriteAsync(new PublishRequest { Name = "kept", TotalLength = 1000, Data = ByteString.CopyFrom(new byte[1000]) });
            await publish.RequestStream.CompleteAsync();
            await publish.ResponseAsync;
        }

        // A worker with three slots that takes a node and never answers: the run stays in progress.
        using var worker = client.Connect(cancellationToken: stop.Token);
        await worker.RequestStream.WriteAsync(new WorkerMessage { Register = new RegisterWorker { WorkerId = "w1", Concurrency = 3 } });
        await worker.ResponseHeadersAsync;
        var request = new SubmitRunRequest { RunId = "run-1" };
        request.Nodes.Add(new NodeSpec { Name = "first" });
        request.Nodes.Add(new NodeSpec { Name = "second", Dependencies = { "first" } });
        using var run = client.SubmitRun(request, cancellationToken: stop.Token);
        await run.ResponseHeadersAsync;
        Assert.True(await worker.ResponseStream.MoveNext(stop.Token)); // "first" assigned
        Assert.Equal("first", worker.ResponseStream.Current.Assign.Node.Name);

        var status = await client.StatusAsync(new StatusRequest(), cancellationToken: stop.Token);

        var w = Assert.Single(status.Workers);
        Assert.Equal(("w1", 3, 1, false), (w.Id, w.Slots, w.Busy, w.Leaving));
        Assert.InRange(w.HeartbeatAgeSeconds, 0, 30);
        var r = Assert.Single(status.Runs);
        Assert.Equal(("run-1", 2, 1, 1, 0, "active"), (r.RunId, r.Nodes, r.Waiting, r.Running, r.Done, r.Status));
        Assert.Equal((1000L, 0L, 1_000_000L), (status.Store.MemoryBytes, status.Store.SpilledBytes, status.Store.LimitBytes));
        await stop.CancelAsync();
    }
}
