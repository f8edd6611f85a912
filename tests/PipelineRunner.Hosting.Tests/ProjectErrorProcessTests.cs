using PipelineRunner.Distributed.Tests;

namespace PipelineRunner.Hosting.Tests;

/// <summary>
/// A user's app whose pipeline fails to build, as a real process: every command reports the error as one line and
/// exits with 2, whether the pipeline is built before it is registered or by a registered factory.
/// </summary>
public sealed class ProjectErrorProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string App = Path.Combine(RepositoryPaths.OutputOf(Path.Combine("tests", "PipelineRunner.Hosting.TestApp")), "PipelineRunner.Hosting.TestApp.dll");

    [Theory]
    [InlineData("eager", "run")]
    [InlineData("eager", "list")]
    [InlineData("eager", "worker", "--scheduler", "http://127.0.0.1:9")]
    [InlineData("lazy", "run")]
    [InlineData("lazy", "run", "--pipeline", "broken")]
    [InlineData("lazy", "list")]
    [InlineData("lazy", "list", "pipelines")]
    [InlineData("lazy", "worker", "--scheduler", "http://127.0.0.1:9")]
    public async Task APipelineThatFailsToBuild_IsOneLineAndExitCodeTwo_InEveryCommand(string broken, params string[] args)
    {
        await using var app = ChildProcess.StartApp(App, new Dictionary<string, string> { ["BROKEN_PIPELINE"] = broken }, args);

        Assert.Equal(2, await app.WaitForExitAsync(Timeout));
        var error = Assert.Single(app.Output.Split('\n'), line => line.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains("twice", error, StringComparison.Ordinal); // the dataset both nodes write
        Assert.DoesNotContain("Unhandled", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOtherPipelines_StillRun_WhenOnlyAFactoryFails()
    {
        await using var app = ChildProcess.StartApp(App, new Dictionary<string, string> { ["BROKEN_PIPELINE"] = "lazy" }, "run", "--pipeline", "ok", "--params", "x=1");

        Assert.True(await app.WaitForExitAsync(Timeout) == 0, app.Output);
        Assert.Contains("Pipeline 'ok' completed: 1 node(s) ran, 0 skipped", app.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM", "sequential")]
    [InlineData("INT", "sequential")]
    [InlineData("TERM", "distributed")]
    public async Task ASignal_CancelsARunningRun_WithinSeconds_ExitCode130(string signal, string runner)
    {
        await using var app = ChildProcess.StartAppAsFromATerminal(App, null, "run", "--pipeline", "waits", "--params", "x=1", "--runner", runner);
        await app.WaitForLineContainingAsync("Running pipeline 'waits'", Timeout);

        app.Signal(signal);

        Assert.Equal(130, await app.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("Pipeline 'waits' cancelled after ", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingInputs_WithNoConfigurationFolderFound_SayWhereItWasLookedFor()
    {
        var empty = Directory.CreateTempSubdirectory("pr-noconf-").FullName;
        try
        {
            await using var app = ChildProcess.StartAppIn(empty, App, "run", "--pipeline", "ok");

            Assert.Equal(1, await app.WaitForExitAsync(Timeout));
            Assert.Contains(
                $"No configuration folder was found ('{Path.Combine(empty, "conf")}' or '{Path.Combine(Path.GetDirectoryName(App)!, "conf")}' do not exist): run from the project folder, or give --conf-source.",
                app.Output,
                StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
