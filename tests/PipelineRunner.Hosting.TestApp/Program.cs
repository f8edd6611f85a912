// A user's app host in miniature, for the process tests of the host's error handling. BROKEN_PIPELINE=eager builds
// a pipeline that fails to construct before AddPipeline is called (as AddPipeline("name", X.Create()) does);
// BROKEN_PIPELINE=lazy registers a factory that fails when a command first needs the pipeline.
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using PipelineRunner.Hosting;
using PipelineRunner.Pipelines;

var builder = PipelineRunnerApp.CreateBuilder(args);
builder.Pipelines.AddPipeline("ok", new Pipeline([Node.Create((int x) => x + 1, "params:x", "y", name: "increment")]));
builder.Pipelines.AddPipeline("waits", new Pipeline([Node.Create(WaitForCancellation, "params:x", "never", name: "waits_for_cancellation")]));
switch (Environment.GetEnvironmentVariable("BROKEN_PIPELINE"))
{
    case "eager":
        builder.Pipelines.AddPipeline("broken", Broken());
        break;
    case "lazy":
        builder.Pipelines.AddPipeline("broken", _ => Broken());
        break;
}

// OWN_TELEMETRY=1: the app sets up its own tracing, as the README shows; the host's OTEL_* support must not add a second.
if (Environment.GetEnvironmentVariable("OWN_TELEMETRY") == "1")
{
    builder.Services.AddOpenTelemetry().WithTracing(t => OpenTelemetry.Trace.ConsoleExporterHelperExtensions.AddConsoleExporter(t.AddPipelineRunnerInstrumentation()));
}

await using var app = builder.Build();
return await app.RunAsync();

// A node that runs until the run is cancelled.
static async Task<int> WaitForCancellation(int x, CancellationToken cancellationToken)
{
    await Task.Delay(Timeout.Infinite, cancellationToken);
    return x;
}

// Two nodes writing one dataset: Kedro's OutputNotUniqueError.
static Pipeline Broken() => new([
    Node.Create((int x) => x, "x", "twice", name: "first_writer"),
    Node.Create((int x) => x, "x", "twice", name: "second_writer"),
]);
