using System.Diagnostics;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.TestApp;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The pipeline-runner tool as an operator meets it: usage, and real signals to a real process.</summary>
public sealed class ToolLifecycleTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _root = Directory.CreateTempSubdirectory("pr-tool-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("scheduler", "--help")]
    [InlineData("--version")]
    public async Task UsageHelpAndVersion_ExitZero_WithoutAnException(params string[] args)
    {
        await using var tool = ChildProcess.StartTool(args);

        Assert.Equal(0, await tool.WaitForExitAsync(Timeout));
        Assert.DoesNotContain("Exception", tool.Output, StringComparison.Ordinal);
        Assert.Matches(args is ["--version"] ? @"^\d+\.\d+\.\d+" : args is ["scheduler", ..] ? @"Usage:\s+\S+ scheduler \[options\]" : @"Commands:[\s\S]*\n\s+scheduler\s", tool.Output);
    }

    [Fact]
    public async Task TheToolsStatusCommand_PrintsASchedulersStatus_AsJson()
    {
        await using var scheduler = await Scheduling.SchedulerServer.StartAsync(new Scheduling.SchedulerOptions { MaxStoreMemoryBytes = 3_000_000 });
        await using var tool = ChildProcess.StartTool("status", "--scheduler", scheduler.Address.ToString(), "--json");

        Assert.Equal(0, await tool.WaitForExitAsync(Timeout));
        var json = tool.Output[tool.Output.IndexOf('{', StringComparison.Ordinal)..];
        using var status = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(3_000_000, status.RootElement.GetProperty("store").GetProperty("limitBytes").GetInt64());
        Assert.Empty(status.RootElement.GetProperty("workers").EnumerateArray());
    }

    [Fact]
    public async Task AnUnknownCommand_ExitsTwo_NamingIt()
    {
        await using var tool = ChildProcess.StartTool("schedular");

        Assert.Equal(2, await tool.WaitForExitAsync(Timeout));
        Assert.Contains("error: Unrecognized command or argument 'schedular'.", tool.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", tool.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("list")]
    [InlineData("worker", "--scheduler", "http://127.0.0.1:9")]
    public async Task CommandsThatNeedPipelines_AreRefused_BecauseTheToolHasNone(params string[] args)
    {
        await using var tool = ChildProcess.StartTool(args);

        Assert.Equal(2, await tool.WaitForExitAsync(Timeout));
        Assert.Contains($"error: This app registers no pipelines, so '{args[0]}' has nothing to do: run it from the app that registers your pipelines ('myapp {args[0]}'). This app can run a scheduler ('scheduler').", tool.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task ASignal_StopsTheScheduler_WithinSeconds_TellingTheRunningDriver_AndRemovingItsSpillFolder(string signal)
    {
        var temp = Directory.CreateDirectory(Path.Combine(_root, "tmp")).FullName;
        var markers = Directory.CreateDirectory(Path.Combine(_root, "markers")).FullName;
        await using var scheduler = ChildProcess.StartAppAsFromATerminal("PipelineRunner.Tool.dll", new Dictionary<string, string> { ["TMPDIR"] = temp }, "scheduler", "--max-store-memory", "1", "--dashboard-port", "0");
        var address = new Uri((await scheduler.WaitForLineAsync("scheduler listening on ", Timeout))["scheduler listening on ".Length..]);
        var ready = new Uri((await scheduler.WaitForLineAsync("scheduler health at ", Timeout))["scheduler health at ".Length..]);
        using (var probe = new HttpClient())
        {
            Assert.Equal("Healthy", await probe.GetStringAsync(ready).WaitAsync(Timeout)); // what a Kubernetes HTTP probe asks
        }

        await using var worker = ChildProcess.Start("worker", "--scheduler", address.ToString(), "--id", "w1");
        await worker.WaitForLineAsync("worker ", Timeout);
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = address });

        // Four 2 MB blobs in a store that keeps 1 MB in memory: the store spills under the scheduler's temp folder.
        var blobs = new DataCatalog();
        blobs.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 2L });
        await runner.RunAsync(SharedPipelines.Blobs(), blobs).WaitAsync(Timeout);
        Assert.Single(Directory.EnumerateDirectories(temp));

        var slow = new DataCatalog();
        slow.AddValues([new("slow_input", 0)]);
        slow.AddParameters(new Dictionary<string, object?> { ["markers"] = markers, ["delay_ms"] = 60_000L });
        var run = runner.RunAsync(SharedPipelines.SlowChain(3), slow);
        while (!Directory.EnumerateFiles(markers).Any())
        {
            Assert.False(run.IsCompleted, "the run ended before its first node started");
            await Task.Delay(10);
        }

        var watch = Stopwatch.StartNew();
        scheduler.Signal(signal);

        Assert.Equal(0, await scheduler.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"stopping took {watch.Elapsed}");
        var ex = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => run.WaitAsync(Timeout));
        Assert.Contains("The scheduler is shutting down; the run was stopped.", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp)); // the spill folder went with the scheduler
        Assert.False(scheduler.Output.Contains("Exception", StringComparison.Ordinal), scheduler.Output);
    }
}
