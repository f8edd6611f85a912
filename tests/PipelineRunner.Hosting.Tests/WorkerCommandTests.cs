using System.Net;
using System.Net.Sockets;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Hosting.Tests;

/// <summary>The <c>worker</c> command: the app's hooks on the nodes it runs; connection settings: ping delay and timeout, and giving up.</summary>
public sealed class WorkerCommandTests : IDisposable
{
    private readonly TestProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task GiveUpAfter_ExitsWith1_AfterOneLineSayingWhy()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there any more

        var (code, output, error) = await _project.RunAsync(
            ["worker", "--scheduler", $"http://127.0.0.1:{port}", "--id", "h1", "--give-up-after", "1", "--ping-delay", "2", "--ping-timeout", "3"]);

        Assert.Equal(1, code);
        Assert.Equal($"worker h1 serving http://127.0.0.1:{port}/", output.TrimEnd());
        Assert.Equal($"Worker 'h1' gave up after 1 s without reaching the scheduler at http://127.0.0.1:{port}/: connection refused.", error.TrimEnd());
    }

    [Theory]
    [InlineData("--ping-delay 0.5", "--ping-delay must be a number of seconds of at least 1, got 0.5.")]
    [InlineData("--ping-timeout 0", "--ping-timeout must be a number of seconds of at least 1, got 0.")]
    [InlineData("--give-up-after 0", "--give-up-after must be a positive number of seconds, got 0.")]
    [InlineData("--give-up-after soon", "Cannot parse argument 'soon' for option '--give-up-after'")]
    public async Task OutOfRangeSettings_ExitWith2_SayingWhatIsAccepted(string option, string expected)
    {
        var (code, _, error) = await _project.RunAsync(["worker", "--scheduler", "http://127.0.0.1:1", .. option.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    /// <summary>Completes <see cref="Address"/> when the scheduler prints where it listens.</summary>
    private sealed class AddressWriter : StringWriter
    {
        private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Uri> Address => _address.Task;

        public override Task WriteLineAsync(string? value)
        {
            if (value is not null && value.StartsWith("scheduler listening on ", StringComparison.Ordinal))
            {
                _address.TrySetResult(new Uri(value["scheduler listening on ".Length..]));
            }

            return base.WriteLineAsync(value);
        }
    }

    [Fact]
    public async Task TheAppsRegisteredHooks_RunOnTheWorker_ForTheNodesItRuns()
    {
        using var stopScheduler = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var stopWorker = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var schedulerOutput = new AddressWriter();
        var scheduler = PipelineRunner.Distributed.Scheduling.SchedulerCommandLine.ServeSchedulerAsync(new SchedulerOptions { Port = 0 }, schedulerOutput, cancellationToken: stopScheduler.Token);
        var address = await schedulerOutput.Address.WaitAsync(TimeSpan.FromSeconds(30));
        var worker = _project.RunAsync(["worker", "--scheduler", address.ToString(), "--id", "hooked"], stop: stopWorker.Token);
        try
        {
            // The driver registers no hooks: what the project's hook records, the worker's app ran.
            await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = address });
            var catalog = new DataCatalog();
            catalog.AddParameters(new Dictionary<string, object?> { ["count"] = 3L, ["offset"] = 10L, ["factor"] = 2L, ["extra"] = new Dictionary<string, object?> { ["factor"] = 2L } });
            var outputs = await runner.RunAsync(TestProject.CreatePipeline(), catalog).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(24L, outputs["total"]);
            Assert.Equal(["extra.scale", "make_numbers", "square", "total"], _project.Hook.Nodes);
            Assert.Empty(_project.Hook.Runners); // pipeline hooks run on the driver, not on the worker
        }
        finally
        {
            await stopWorker.CancelAsync();
            var (code, output, error) = await worker;
            await stopScheduler.CancelAsync();
            Assert.True(code == 0, output + error);
            Assert.Equal(0, await scheduler);
        }
    }
}
