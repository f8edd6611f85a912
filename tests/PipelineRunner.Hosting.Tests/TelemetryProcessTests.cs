using PipelineRunner.Distributed.Tests;

namespace PipelineRunner.Hosting.Tests;

/// <summary>
/// Telemetry from the standard OpenTelemetry environment variables, in a real process of an app built on the host:
/// no code, only <c>OTEL_*</c> settings, as an operator would turn it on.
/// </summary>
public sealed class TelemetryProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string App = Path.Combine(RepositoryPaths.OutputOf(Path.Combine("tests", "PipelineRunner.Hosting.TestApp")), "PipelineRunner.Hosting.TestApp.dll");

    [Fact]
    public async Task OtelTracesExporterConsole_PrintsTheRunsAndNodesSpans_NamedAfterTheApp()
    {
        await using var app = ChildProcess.StartApp(
            App,
            new Dictionary<string, string> { ["OTEL_TRACES_EXPORTER"] = "console", ["OTEL_METRICS_EXPORTER"] = "none" },
            "run", "--pipeline", "ok", "--params", "x=1");

        Assert.True(await app.WaitForExitAsync(Timeout) == 0, app.Output);
        Assert.Contains("Activity.DisplayName:        pipeline.run", app.Output, StringComparison.Ordinal);
        Assert.Contains("Activity.DisplayName:        node.run", app.Output, StringComparison.Ordinal);
        Assert.Contains("pipelinerunner.node: increment", app.Output, StringComparison.Ordinal);
        Assert.Contains("service.name: PipelineRunner.Hosting.TestApp", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutOtelVariables_NothingIsExported()
    {
        await using var app = ChildProcess.StartApp(App, null, "run", "--pipeline", "ok", "--params", "x=1");

        Assert.True(await app.WaitForExitAsync(Timeout) == 0, app.Output);
        Assert.DoesNotContain("Activity.", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownExporter_IsOneLineNamingTheVariable_ExitCodeTwo()
    {
        await using var app = ChildProcess.StartApp(App, new Dictionary<string, string> { ["OTEL_METRICS_EXPORTER"] = "statsd" }, "run", "--pipeline", "ok", "--params", "x=1");

        Assert.Equal(2, await app.WaitForExitAsync(Timeout));
        Assert.Contains("error: OTEL_METRICS_EXPORTER='statsd' is not an exporter this app has; use otlp, console or none.", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppsOwnTracing_IsNotDoubled_ByTheEnvironmentsExporter()
    {
        await using var app = ChildProcess.StartApp(
            App,
            new Dictionary<string, string> { ["OWN_TELEMETRY"] = "1", ["OTEL_TRACES_EXPORTER"] = "console", ["OTEL_METRICS_EXPORTER"] = "none" },
            "run", "--pipeline", "ok", "--params", "x=1");

        Assert.True(await app.WaitForExitAsync(Timeout) == 0, app.Output);
        Assert.Single(app.Output.Split('\n'), line => line.StartsWith("Activity.DisplayName:        pipeline.run", StringComparison.Ordinal));
    }
}
