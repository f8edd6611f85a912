// A user's app in miniature: `scheduler` hosts a standalone scheduler; `worker --scheduler URL` serves it with the
// pipelines registered in this process. Used by the functional tests as separate OS processes.
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;
using OpenTelemetry.Trace;
using PipelineRunner.Hooks;

// PIPELINERUNNER_TRACE_FILE: record this process's PipelineRunner spans to that file, one line each (trace id, span id,
// parent span id, name, tags), as an operator's OpenTelemetry exporter would send them to a collector.
using var tracing = Environment.GetEnvironmentVariable("PIPELINERUNNER_TRACE_FILE") is { Length: > 0 } traceFile
    ? OpenTelemetry.Sdk.CreateTracerProviderBuilder()
        .AddPipelineRunnerInstrumentation()
        .AddProcessor(new OpenTelemetry.SimpleActivityExportProcessor(new SpanFileExporter(traceFile)))
        .Build()
    : null;
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
using var stop = new CancellationTokenSource();

// SIGINT and SIGTERM stop the app gracefully (a worker drains and leaves) instead of ending the process at once.
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var variant = Array.IndexOf(args, "--variant") is var v and >= 0 && v + 1 < args.Length ? args[v + 1] : "default";
if (args is ["drive", "--scheduler", var scheduler, "--markers", var markers])
{
    // A driver process for the tests: runs the slow chain on the scheduler's workers (and is killed mid-run).
    await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = new Uri(scheduler) }, loggerFactory);
    var catalog = new DataCatalog();
    catalog.AddValues([new("slow_input", 0)]);
    catalog.AddParameters(new Dictionary<string, object?> { ["markers"] = markers, ["delay_ms"] = 500L });
    Console.WriteLine("driving");
    var outputs = await runner.RunAsync(SharedPipelines.SlowChain(10), catalog, cancellationToken: stop.Token);
    Console.WriteLine($"done {outputs["slow_10"]}");
    return 0;
}

// The worker app's hooks: node and dataset hooks run where the node runs.
IRunHook[] hooks = Array.IndexOf(args, "--hook-markers") is var h and >= 0 && h + 1 < args.Length ? [new MarkerHook(args[h + 1])] : [];
return await DistributedCommandLine.RunWorkerIfRequestedAsync(args, SharedPipelines.All(variant), Console.Out, loggerFactory, hooks, stop.Token)
    ?? await PipelineRunner.Distributed.Scheduling.SchedulerCommandLine.RunSchedulerIfRequestedAsync(args, Console.Out, loggerFactory, stop.Token)
    ?? Usage();

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

static int Usage()
{
    Console.Error.WriteLine("usage: TestApp scheduler [--host IP] [--port N] | worker --scheduler URL [--id ID] [--concurrency N] [--ping-delay S] [--ping-timeout S] [--give-up-after S] [--variant changed] [--hook-markers DIR]");
    return 2;
}
