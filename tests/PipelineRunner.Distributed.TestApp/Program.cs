// A user's app in miniature: `scheduler` hosts a standalone scheduler; `worker --scheduler URL` serves it with the
// pipelines registered in this process. Used by the functional tests as separate OS processes.
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

var variant = Array.IndexOf(args, "--variant") is var v and >= 0 && v + 1 < args.Length ? args[v + 1] : "default";
return await DistributedCommandLine.RunWorkerIfRequestedAsync(args, SharedPipelines.All(variant), Console.Out, loggerFactory, stop.Token)
    ?? await DistributedCommandLine.RunSchedulerIfRequestedAsync(args, Console.Out, loggerFactory, stop.Token)
    ?? Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: TestApp scheduler [--host IP] [--port N] | worker --scheduler URL [--id ID] [--concurrency N] [--variant changed]");
    return 2;
}
