using System.Diagnostics;
using Grpc.Core;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.TestApp;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// A scheduler that stops answering without closing its connections (SIGSTOP of the pipeline-runner tool: the kernel
/// keeps the sockets open and acknowledges bytes, nothing answers them), with a driver and two workers (one busy, one
/// idle) pinging it every second and waiting two for an answer.
/// </summary>
public sealed class SchedulerSilenceTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PingDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Three times PingDelay + PingTimeout: room for the handler's 1 s timer ticks and a loaded machine.</summary>
    private static readonly TimeSpan NoticeBound = 3 * (PingDelay + PingTimeout);

    private readonly string _markers = Directory.CreateTempSubdirectory("pr-silence-").FullName;
    private readonly List<ChildProcess> _processes = [];
    private ChildProcess _scheduler = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _scheduler = ChildProcess.StartTool("scheduler");
        _processes.Add(_scheduler);
        var line = await _scheduler.WaitForLineAsync("scheduler listening on ", StartTimeout);
        _address = new Uri(line["scheduler listening on ".Length..]);
    }

    public async Task DisposeAsync()
    {
        _scheduler.Signal("CONT"); // never leave a stopped process behind, whatever happened
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        Directory.Delete(_markers, recursive: true);
    }

    private ChildProcess StartWorker(string id)
    {
        var worker = ChildProcess.Start("worker", "--scheduler", _address.ToString(), "--id", id, "--ping-delay", "1", "--ping-timeout", "2");
        _processes.Add(worker);
        return worker;
    }

    [Fact]
    public async Task FrozenScheduler_TheDriverAndBothWorkersNoticeWithinPingDelayPlusTimeout_AndTheWorkersReconnectWhenItThaws()
    {
        var busy = StartWorker("busy");
        var idle = StartWorker("idle");
        await _scheduler.WaitForLineContainingAsync("Worker 'busy' connected with", StartTimeout);
        await _scheduler.WaitForLineContainingAsync("Worker 'idle' connected with", StartTimeout);

        // A healthy scheduler answers the pings (Kestrel does it by itself): idle connections stay up well past the bound.
        await Task.Delay(2 * (PingDelay + PingTimeout));
        Assert.DoesNotContain("lost", busy.Output + idle.Output, StringComparison.Ordinal);

        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = _address, PingDelay = PingDelay, PingTimeout = PingTimeout });
        var catalog = new DataCatalog();
        catalog.AddValues([new("slow_input", 0)]);
        catalog.AddParameters(new Dictionary<string, object?> { ["markers"] = _markers, ["delay_ms"] = 120_000L });
        var run = runner.RunAsync(SharedPipelines.SlowChain(2), catalog);
        var waiting = Stopwatch.StartNew();
        while (Directory.GetFiles(_markers).Length == 0)
        {
            Assert.True(waiting.Elapsed < StartTimeout, "the first node did not start");
            await Task.Delay(10);
        }

        var frozen = Stopwatch.StartNew();
        _scheduler.Signal("STOP");
        try
        {
            var error = await Record.ExceptionAsync(() => run.WaitAsync(3 * NoticeBound));
            var driverNoticed = frozen.Elapsed;

            var unavailable = Assert.IsType<SchedulerUnavailableException>(error);
            Assert.Equal(
                $"Lost the connection to the scheduler at {_address}: it stopped answering: nothing heard for 3 s (PingDelay 1 s + PingTimeout 2 s).",
                unavailable.Message);
            Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(unavailable.InnerException).StatusCode);
            Assert.True(driverNoticed < NoticeBound, $"the driver noticed after {driverNoticed}");

            foreach (var (worker, id) in new[] { (busy, "busy"), (idle, "idle") })
            {
                var lost = await worker.WaitForLineContainingAsync($"Worker '{id}': connection to the scheduler at {_address} lost", NoticeBound - frozen.Elapsed);
                Assert.EndsWith(
                    $"Worker '{id}': connection to the scheduler at {_address} lost, retrying in 0.5 s (it stopped answering: nothing heard for 3 s (PingDelay 1 s + PingTimeout 2 s))",
                    lost,
                    StringComparison.Ordinal);
            }

            Assert.True(frozen.Elapsed < NoticeBound, $"the workers noticed after {frozen.Elapsed}");
            output.WriteLine($"silent scheduler noticed by the driver after {driverNoticed.TotalSeconds:0.00} s, by both workers within {frozen.Elapsed.TotalSeconds:0.00} s");
            // The busy worker's node was stopped by the loss, which is no failure of the node's.
            Assert.DoesNotContain("failed on worker", busy.Output, StringComparison.Ordinal);
        }
        finally
        {
            _scheduler.Signal("CONT");
        }

        // Thawed, the scheduler sees both workers register again: they kept retrying (every attempt against the frozen
        // scheduler also failed within the bound) and serve it again.
        foreach (var id in new[] { "busy", "idle" })
        {
            var registered = Stopwatch.StartNew();
            while (_scheduler.Output.Split('\n').Count(l => l.Contains($"Worker '{id}' connected with", StringComparison.Ordinal)) < 2)
            {
                Assert.True(registered.Elapsed < StartTimeout, $"worker '{id}' did not come back:\n{_scheduler.Output}");
                await Task.Delay(50);
            }
        }

        Assert.DoesNotContain(" at PipelineRunner", busy.Output + idle.Output, StringComparison.Ordinal); // no stack traces
    }
}
