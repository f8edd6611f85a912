// pipeline-runner scheduler [--host IP] [--port N]: a standalone scheduler with its dataset store. It needs no user
// code: drivers and workers (the users' apps) connect to the address it prints.
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Workers;

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

var exitCode = await DistributedCommandLine.RunSchedulerIfRequestedAsync(args, Console.Out, loggerFactory, stop.Token);
if (exitCode is null)
{
    await Console.Error.WriteLineAsync("usage: pipeline-runner scheduler [--host IP] [--port N]\n  --host  address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces)\n  --port  port (default 0: any free port)");
    return 2;
}

return exitCode.Value;
