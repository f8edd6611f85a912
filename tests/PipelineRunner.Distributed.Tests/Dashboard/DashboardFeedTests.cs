using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Distributed.Dashboard;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Tests.Dashboard;

/// <summary>The dashboard's model, fed by a scheduler's state changes without a cluster (a fake clock, no sockets).</summary>
public sealed class DashboardFeedTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly DatasetStore _store = new();
    private readonly SchedulerState _state;
    private readonly DashboardFeed _feed;

    public DashboardFeedTests()
    {
        _state = new SchedulerState(_store, new SchedulerOptions(), _time, NullLogger<SchedulerState>.Instance);
        _feed = new DashboardFeed(_state, NullLogger<DashboardFeed>.Instance);
        _feed.Start();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _feed.DisposeAsync();
        _store.Dispose();
    }

    [Fact]
    public async Task ARetriedThenFailedNode_ShowsRetryingWhileItsWorkerRetries_ThenFailedWithItsErrorStackAndAttempts_AndItsDependentSkipped()
    {
        var worker = _state.AddWorker("w", 1);
        _state.AddRun(Request("r", Spec("flaky", ["in"], ["out"]), Spec("after", ["out"], ["end"], "flaky")));
        _time.Advance(TimeSpan.FromSeconds(2));
        _state.OnRetrying(worker, new NodeRetrying { RunId = "r", Node = "flaky", Attempt = 1, ErrorType = "System.TimeoutException", Message = "slow" });
        var retrying = await NodeAsync("r", "flaky", n => n.GetProperty("state").GetString() == "retrying");
        Assert.Equal("System.TimeoutException: slow", retrying.GetProperty("retryError").GetString());

        _time.Advance(TimeSpan.FromSeconds(3));
        _state.OnFailed(worker, new NodeFailed { RunId = "r", Node = "flaky", Worker = "w", ErrorType = "System.IO.IOException", Message = "disk gone", StackTrace = "at Flaky()", Attempts = 2 });
        var failed = await NodeAsync("r", "flaky", n => n.GetProperty("state").GetString() == "failed");
        Assert.Equal(("System.IO.IOException", "disk gone", "at Flaky()"), (failed.GetProperty("errorType").GetString(), failed.GetProperty("error").GetString(), failed.GetProperty("stack").GetString()));
        Assert.Equal(2, failed.GetProperty("attempts").GetInt32());
        Assert.Equal("w", failed.GetProperty("worker").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), failed.GetProperty("end").GetDateTimeOffset() - failed.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(["in"], failed.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["out"], failed.GetProperty("outputs").EnumerateArray().Select(e => e.GetString()));

        var after = await NodeAsync("r", "after", n => n.GetProperty("state").GetString() == "skipped");
        Assert.Equal(0, after.GetProperty("attempts").GetInt32());
        using var runs = JsonDocument.Parse(_feed.RunsJson());
        Assert.Equal("failed", Assert.Single(runs.RootElement.EnumerateArray()).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task APage_GetsASnapshotFirst_ThenEachChange_AndTheTaskStreamsExecutions()
    {
        var worker = _state.AddWorker("w", 1);
        _state.AddRun(Request("r", Spec("a", [], ["x"])));
        await NodeAsync("r", "a", n => n.GetProperty("state").GetString() == "running");
        var reader = _feed.Connect("r", withExecutions: true, out var disconnect);
        try
        {
            Assert.True(reader.TryRead(out var snapshot));
            Assert.StartsWith("event: snapshot\ndata: ", snapshot, StringComparison.Ordinal);
            using (var data = JsonDocument.Parse(snapshot["event: snapshot\ndata: ".Length..]))
            {
                Assert.Equal("running", Assert.Single(data.RootElement.GetProperty("nodes").EnumerateArray()).GetProperty("state").GetString());
                var execution = Assert.Single(data.RootElement.GetProperty("executions").EnumerateArray());
                Assert.Equal(("a", "w", "running"), (execution.GetProperty("node").GetString(), execution.GetProperty("worker").GetString(), execution.GetProperty("outcome").GetString()));
            }

            _state.OnCompleted(worker, new NodeCompleted { RunId = "r", Node = "a" });
            var frame = await reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("event: node\ndata: ", frame, StringComparison.Ordinal);
            using var change = JsonDocument.Parse(frame["event: node\ndata: ".Length..]);
            Assert.Equal("done", change.RootElement.GetProperty("state").GetString());
            Assert.Equal("succeeded", change.RootElement.GetProperty("progress").GetProperty("outcome").GetString());
        }
        finally
        {
            disconnect();
        }

        Assert.Equal(1, _feed.NodesRun("w"));
    }

    [Fact]
    public async Task OnlyTheLast20FinishedRuns_AreKept()
    {
        _state.AddWorker("w", 1);
        for (var i = 0; i < 25; i++)
        {
            var run = _state.AddRun(Request($"r{i:D2}", Spec("a", [], ["x" + i])));
            _state.CancelRun(run);
        }

        await NodeAsync("r24", "a", n => n.GetProperty("state").GetString() == "skipped");
        using var runs = JsonDocument.Parse(_feed.RunsJson());
        Assert.Equal(Enumerable.Range(5, 20).Reverse().Select(i => $"r{i:D2}"), runs.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Null(_feed.Specs("r00"));
    }

    [Fact]
    public void AContainerDisposedSynchronously_StopsTheFeed()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.LoggingServiceCollectionExtensions.AddLogging(services);
        Microsoft.Extensions.DependencyInjection.SchedulerServiceCollectionExtensions.AddPipelineRunnerScheduler(services);
        var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        var feed = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DashboardFeed>(provider);
        feed.Start();
        var reader = feed.Connect(null, withExecutions: false, out _);

        provider.Dispose(); // a synchronous container: the feed is disposable both ways

        Assert.True(reader.TryRead(out _)); // the snapshot
        Assert.True(reader.Completion.IsCompleted);
    }

    private async Task<JsonElement> NodeAsync(string run, string node, Func<JsonElement, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (_feed.RunJson(run) is { } json)
            {
                using var document = JsonDocument.Parse(json);
                var found = document.RootElement.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("node").GetString() == node);
                if (condition(found))
                {
                    return found.Clone();
                }
            }

            await Task.Delay(10, timeout.Token);
        }
    }

    private static SubmitRunRequest Request(string id, params NodeSpec[] nodes)
    {
        var request = new SubmitRunRequest { RunId = id, ContinueOnFailure = true };
        request.Nodes.AddRange(nodes);
        return request;
    }

    private static NodeSpec Spec(string name, string[] inputs, string[] outputs, params string[] dependencies)
    {
        var spec = new NodeSpec { Name = name };
        spec.Datasets.AddRange(inputs.Concat(outputs).Select(d => new DatasetSpec { Name = d }));
        spec.Outputs.AddRange(outputs);
        spec.Dependencies.AddRange(dependencies);
        return spec;
    }
}
