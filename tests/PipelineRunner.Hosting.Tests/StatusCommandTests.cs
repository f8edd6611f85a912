using System.Text.Json;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Hosting.Tests;

/// <summary><c>status --scheduler URL [--json]</c> against a real scheduler: workers, runs and store use; the access token.</summary>
[Collection(LiveLine.Collection)]
public sealed class StatusCommandTests : IDisposable
{
    private readonly TestProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task Status_PrintsWorkersRunsAndStoreUse()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { MaxStoreMemoryBytes = 2_000_000 });
        await using var worker = StartWorker(scheduler.Address, "status-worker");

        var (code, output, error) = await StatusShowingAsync("status-worker", "--scheduler", scheduler.Address.ToString());

        Assert.True(code == 0, error);
        Assert.StartsWith($"Scheduler {scheduler.Address}: 1 worker, 0 runs in progress", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  WORKER +SLOTS +BUSY +HEARD\n  status-worker +2 +0 +\d+\.\d s ago\n", output);
        Assert.Contains("Store: 0 bytes in memory of 2,000,000 bytes before spilling (0 %), 0 bytes spilled", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusJson_IsJson()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { MaxStoreMemoryBytes = 2_000_000 });
        await using var worker = StartWorker(scheduler.Address, "json-worker");

        var (code, output, error) = await StatusShowingAsync("json-worker", "--scheduler", scheduler.Address.ToString(), "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var w = Assert.Single(json.RootElement.GetProperty("workers").EnumerateArray());
        Assert.Equal(("json-worker", 2, 0), (w.GetProperty("id").GetString(), w.GetProperty("slots").GetInt32(), w.GetProperty("busy").GetInt32()));
        Assert.Empty(json.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(2_000_000, json.RootElement.GetProperty("store").GetProperty("limitBytes").GetInt64());
    }

    [Fact]
    public async Task Status_SendsTheConfiguredAccessToken_AndWithoutItSaysWhy()
    {
        const string token = "status-token-0123456789";
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { AccessToken = token });

        var (code, output, error) = await _project.RunAsync(["status", "--scheduler", scheduler.Address.ToString()], b => b.Configuration["PipelineRunner:AccessToken"] = token);
        Assert.True(code == 0, error);
        Assert.StartsWith($"Scheduler {scheduler.Address}: 0 workers", output, StringComparison.Ordinal);

        (code, _, error) = await _project.RunAsync(["status", "--scheduler", scheduler.Address.ToString()]);
        Assert.Equal(1, code);
        Assert.Contains("access token", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Status_WithoutAScheduler_IsAUsageError()
    {
        var (code, _, error) = await _project.RunAsync(["status"]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: status needs a scheduler: --scheduler http://HOST:PORT", error, StringComparison.Ordinal);
    }

    /// <summary>A worker of this test's process serving the scheduler until disposed.</summary>
    private static IAsyncDisposable StartWorker(Uri scheduler, string id)
    {
        var worker = new Distributed.Workers.PipelineWorker(
            new Distributed.Workers.WorkerOptions { SchedulerAddress = scheduler, WorkerId = id, MaxConcurrentNodes = 2 },
            new Distributed.Workers.PipelineNodeResolver([TestProject.CreatePipeline()]));
        var stop = new CancellationTokenSource();
        return new Stopper(stop, worker.RunAsync(stop.Token));
    }

    /// <summary>Runs <c>status</c> until its output shows the worker (it registers asynchronously), for at most 30 s.</summary>
    private async Task<(int ExitCode, string Output, string Error)> StatusShowingAsync(string worker, params string[] args)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var result = await _project.RunAsync(["status", .. args]);
            if (result.Output.Contains(worker, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(50);
        }
    }

    private sealed class Stopper(CancellationTokenSource stop, Task running) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await running;
            stop.Dispose();
        }
    }
}
