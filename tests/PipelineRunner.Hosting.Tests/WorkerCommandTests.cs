using System.Net;
using System.Net.Sockets;

namespace PipelineRunner.Hosting.Tests;

/// <summary>The <c>worker</c> command's connection settings: ping delay and timeout, and giving up.</summary>
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
}
