using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Distributed.Tests;

/// <summary>What a worker says while it connects, loses the scheduler, retries, comes back and gives up.</summary>
public sealed class WorkerConnectionTests(Xunit.Abstractions.ITestOutputHelper testOutput)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A loopback port nothing listens on (bound, then closed).</summary>
    internal static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task WaitForAsync(StringWriterLoggerProvider log, string text, int count = 1)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (log.Count(text) < count)
        {
            Assert.False(timeout.IsCancellationRequested, $"no {count} line(s) with '{text}' within {Timeout}:\n{log}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task WorkerCommand_PrintsOneStartLine_ThenOneLinePerLossAndOneOnReturn_WithoutDoubledPrefixes()
    {
        var schedulerLog = new StringWriterLoggerProvider();
        using var schedulerLogging = LoggerFactory.Create(b => b.AddProvider(schedulerLog));
        var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions(), schedulerLogging);
        var address = scheduler.Address;
        var workerLog = new StringWriterLoggerProvider();
        using var workerLogging = LoggerFactory.Create(b => b.AddProvider(workerLog).SetMinimumLevel(LogLevel.Information));
        using var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var worker = DistributedCommandLine.RunWorkerIfRequestedAsync(
            ["worker", "--scheduler", address.ToString(), "--id", "w1"], SharedPipelines.All(), output, workerLogging, stop.Token);
        try
        {
            await WaitForAsync(schedulerLog, "Worker 'w1' connected with");
            await scheduler.DisposeAsync(); // the scheduler restarts on the same port
            await WaitForAsync(workerLog, "lost, retrying in");
            scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { Port = address.Port }, schedulerLogging);
            await WaitForAsync(workerLog, "reconnected");
            await WaitForAsync(schedulerLog, "Worker 'w1' connected with", count: 2);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await worker.WaitAsync(Timeout));
            await scheduler.DisposeAsync();
        }

        testOutput.WriteLine(output + workerLog.ToString());
        Assert.Equal($"worker w1 serving {address}", output.ToString().TrimEnd());
        var lines = workerLog.ToString().Split('\n');
        var lost = Assert.Single(lines, l => l.Contains("lost", StringComparison.Ordinal));
        Assert.Matches(new Regex($"^Warning: Worker 'w1': connection to the scheduler at {Regex.Escape(address.ToString())} lost, retrying in 0\\.5 s \\([a-z][^()]*(\\([^()]*\\))?\\)$"), lost);
        Assert.Matches(new Regex($"^Information: Worker 'w1' reconnected to the scheduler at {Regex.Escape(address.ToString())} after [0-9.]+ s$"), Assert.Single(lines, l => l.Contains("reconnected", StringComparison.Ordinal)));
        // Attempts while the scheduler was down: each one line, with the reason and the next wait.
        Assert.All(lines.Where(l => l.Contains("cannot reach", StringComparison.Ordinal)), l => Assert.Matches(
            new Regex($"^Warning: Worker 'w1': cannot reach the scheduler at {Regex.Escape(address.ToString())}, retrying in [0-9.]+ s \\(connection refused\\)$"), l));
        Assert.DoesNotContain(lines, l => l.Contains("serving", StringComparison.Ordinal) || l.Contains("Worker 'w1': Worker", StringComparison.Ordinal));
        Assert.Equal(lines.Length, lines.Count(l => l.Contains("retrying in", StringComparison.Ordinal) || l.Contains("reconnected", StringComparison.Ordinal) || l.Contains("is leaving", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GiveUpAfter_CountsFromTheLoss_TheBackoffDoubles_AndTheLastWaitEndsAtTheDeadline()
    {
        var address = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        var time = new FakeTimeProvider();
        var log = new StringWriterLoggerProvider();
        using var logging = LoggerFactory.Create(b => b.AddProvider(log));
        var worker = new PipelineWorker(
            new WorkerOptions
            {
                SchedulerAddress = address,
                WorkerId = "g",
                ReconnectDelay = TimeSpan.FromSeconds(1),
                MaxReconnectDelay = TimeSpan.FromSeconds(4),
                GiveUpAfter = TimeSpan.FromSeconds(10),
                TimeProvider = time,
            },
            new PipelineNodeResolver(SharedPipelines.All()),
            logging);
        var run = worker.RunAsync();

        // Waits of 1, 2 and 4 s (doubling, capped at 4), then the 3 s left until the 10 s deadline, then it gives up.
        var waits = new[] { "1", "2", "4", "3" };
        for (var i = 0; i < waits.Length; i++)
        {
            await WaitForAsync(log, $"Warning: Worker 'g': cannot reach the scheduler at {address}, retrying in {waits[i]} s (connection refused)");
            Assert.False(run.IsCompleted);
            time.Advance(TimeSpan.FromSeconds(double.Parse(waits[i], System.Globalization.CultureInfo.InvariantCulture)));
        }

        var error = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => run.WaitAsync(Timeout));
        Assert.Equal($"Worker 'g' gave up after 10 s without reaching the scheduler at {address}: connection refused.", error.Message);
        Assert.Equal(4, log.Count("retrying in"));
    }

    [Fact]
    public async Task ServerThatIsNoScheduler_IsNotCountedAsAConnection_AndTheBackoffKeepsDoubling()
    {
        // An HTTP/2 server that answers every request with 404, as a proxy or another service on the port would.
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
        await using var other = builder.Build();
        await other.StartAsync();
        var address = new Uri(other.Urls.Single() + "/");
        var time = new FakeTimeProvider();
        var log = new StringWriterLoggerProvider();
        using var logging = LoggerFactory.Create(b => b.AddProvider(log));
        using var stop = new CancellationTokenSource();
        var worker = new PipelineWorker(
            new WorkerOptions { SchedulerAddress = address, WorkerId = "n", ReconnectDelay = TimeSpan.FromSeconds(1), TimeProvider = time },
            new PipelineNodeResolver(SharedPipelines.All()),
            logging);
        var run = worker.RunAsync(stop.Token);
        foreach (var wait in new[] { "1", "2", "4" })
        {
            await WaitForAsync(log, $"Warning: Worker 'n': cannot reach the scheduler at {address}, retrying in {wait} s (it is not a PipelineRunner scheduler (it answered with HTTP status 404))");
            time.Advance(TimeSpan.FromSeconds(int.Parse(wait, System.Globalization.CultureInfo.InvariantCulture)));
        }

        await stop.CancelAsync();
        await run.WaitAsync(Timeout);
        Assert.Equal(0, log.Count("lost") + log.Count("connected"));
    }

    [Fact]
    public async Task WorkerProcess_GivesUpAfterGiveUpAfter_WithOneLine_AndExitCode1()
    {
        var address = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        await using var worker = ChildProcess.Start("worker", "--scheduler", address.ToString(), "--id", "quitter", "--give-up-after", "2");

        Assert.Equal(1, await worker.WaitForExitAsync(Timeout));
        testOutput.WriteLine(worker.Output);
        var lines = worker.Output.Split('\n');
        Assert.Equal($"worker quitter serving {address}", lines[0]);
        Assert.Equal($"Worker 'quitter' gave up after 2 s without reaching the scheduler at {address}: connection refused.", lines[^1]);
        // In between, one warning per failed attempt (the test app logs warnings and above), nothing else.
        Assert.InRange(lines.Length - 2, 2, 5);
        Assert.All(lines[1..^1], l => Assert.Matches(
            new Regex($"^warn: PipelineRunner\\.Distributed\\.Workers\\.PipelineWorker\\[207\\] Worker 'quitter': cannot reach the scheduler at {Regex.Escape(address.ToString())}, retrying in [0-9.]+ s \\(connection refused\\)$"), l));
    }
}
