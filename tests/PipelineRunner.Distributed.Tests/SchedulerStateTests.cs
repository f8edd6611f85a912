using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The executor around the state machine: store I/O outside the machine, the lease on a fake clock, the change feed.</summary>
public sealed class SchedulerStateTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly DatasetStore _store = new();
    private readonly SchedulerState _state;

    public SchedulerStateTests()
    {
        _state = new SchedulerState(_store, new SchedulerOptions { DriverLeaseTimeout = TimeSpan.FromSeconds(30) }, _time, NullLogger<SchedulerState>.Instance);
    }

    public void Dispose() => _store.Dispose();

    private static SubmitRunRequest Request(string id, params NodeSpec[] nodes)
    {
        var request = new SubmitRunRequest { RunId = id };
        request.Nodes.AddRange(nodes);
        return request;
    }

    private static NodeSpec Node(string name, string[] datasets, string[]? storeInputs = null, params string[] dependencies)
    {
        var spec = new NodeSpec { Name = name };
        spec.Datasets.AddRange(datasets.Select(d => new DatasetSpec { Name = d }));
        spec.StoreInputs.AddRange(storeInputs ?? []);
        spec.Dependencies.AddRange(dependencies);
        return spec;
    }

    private static List<RunEvent> Drain(RunState run)
    {
        var events = new List<RunEvent>();
        while (run.Events.Reader.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public void InlineOutputs_AreInTheStoreBeforeTheCompletionIsEmitted_AndInlinedIntoTheDependentsAssignment()
    {
        var worker = _state.AddWorker("w", 1);
        var run = _state.AddRun(Request("r", Node("a", ["y"]), Node("b", ["y"], ["y"], "a")));
        Assert.True(worker.Outbox.Reader.TryRead(out var first));
        Assert.Equal("a", _state.Prepare(first).Assign.Node.Name);
        var completed = new NodeCompleted { RunId = "r", Node = "a" };
        completed.Outputs.Add(new InlineValue { Name = "y", Data = Google.Protobuf.ByteString.CopyFrom(7, 8) });

        _state.OnCompleted(worker, completed);

        Assert.True(_store.Contains("y"));
        Assert.Equal("a", Assert.Single(Drain(run)).Completed.Node);
        Assert.Equal(NodeStatus.Done, run.Nodes["a"].Status);
        Assert.True(worker.Outbox.Reader.TryRead(out var second));
        var assign = _state.Prepare(second).Assign;
        Assert.Equal("b", assign.Node.Name);
        Assert.Equal([7, 8], Assert.Single(assign.Inputs).Data.ToByteArray());
    }

    [Fact]
    public async Task AbandonedRun_ReleasesItsDatasets_WhenTheLeaseExpiresOnTheClock_NotBefore()
    {
        var run = _state.AddRun(Request("r", Node("a", ["x"])));
        var bytes = new byte[] { 1, 2, 3 };
        _store.Put("x", bytes, bytes.Length);

        Assert.True(_state.CancelRun(run));
        Assert.False(_state.CancelRun(run)); // once
        var lease = _state.ReleaseAbandonedAsync(run, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(lease.IsCompleted);
        Assert.True(_store.Contains("x"));

        _time.Advance(TimeSpan.FromSeconds(1));
        await lease.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(_store.Contains("x"));
    }

    [Fact]
    public async Task StateChanges_AreStreamedInOrder_WithTheClocksTime_UntilDisposed()
    {
        using var subscription = _state.SubscribeStateChanges();
        var worker = _state.AddWorker("w", 1);
        _state.AddRun(Request("r", Node("a", [])));
        _time.Advance(TimeSpan.FromSeconds(5));
        _state.OnCompleted(worker, new NodeCompleted { RunId = "r", Node = "a" });
        subscription.Dispose();

        var changes = new List<NodeStateChanged>();
        var submitted = new List<RunSubmittedChange>();
        await foreach (var change in subscription.Reader.ReadAllAsync())
        {
            if (change is RunSubmittedChange run)
            {
                Assert.Empty(changes); // the run comes before its nodes' changes
                submitted.Add(run);
            }
            else
            {
                changes.Add((NodeStateChanged)change);
            }
        }

        Assert.Equal("a", Assert.Single(Assert.Single(submitted).Nodes).Name);
        Assert.Equal(
            [(NodeStatus.Waiting, NodeStatus.Ready), (NodeStatus.Ready, NodeStatus.Running), (NodeStatus.Running, NodeStatus.Done)],
            changes.Select(c => (c.From, c.To)));
        Assert.All(changes, c => Assert.Equal(("r", "a"), (c.RunId, c.Node)));
        Assert.Equal(_time.GetUtcNow(), changes[^1].Time);
        Assert.Equal("w", changes[^1].Worker);
    }

    [Fact]
    public async Task SilentWorker_IsDeclaredDead_AfterWorkerTimeoutOnTheSchedulersClock_AndAMessageRestartsIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { WorkerTimeout = TimeSpan.FromSeconds(10), TimeProvider = time });
        using var channel = GrpcChannel.ForAddress(scheduler.Address);
        var client = new Protocol.Scheduler.SchedulerClient(channel);
        using var call = client.Connect();
        await call.RequestStream.WriteAsync(new WorkerMessage { Register = new RegisterWorker { WorkerId = "silent", Concurrency = 1 } });
        await call.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300); // the scheduler starts its silence timer right after registering the worker

        time.Advance(TimeSpan.FromSeconds(9));
        await call.RequestStream.WriteAsync(new WorkerMessage { Heartbeat = new Heartbeat() });
        await Task.Delay(300);
        time.Advance(TimeSpan.FromSeconds(9)); // 18 s since registering, 9 s since the heartbeat
        await Task.Delay(300);
        Assert.Equal(1, (await client.InfoAsync(new InfoRequest())).Workers);

        time.Advance(TimeSpan.FromSeconds(2));
        var ended = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // the stream ended abruptly: also an end
            }
        });
        await ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, (await client.InfoAsync(new InfoRequest())).Workers);
    }
}
