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
    await Console.Error.WriteLineAsync("""
        usage: pipeline-runner scheduler [--host IP] [--port N] [--token-file PATH] [--certificate PATH [--certificate-key PATH]]
                                         [--client-ca PATH] [--worker-timeout SECONDS] [--allowed-worker-deaths N]
                                         [--max-store-memory MB] [--spill-directory PATH]
          --host                   address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces)
          --port                   port (default 0: any free port)
          --token-file             file holding the access token every call must carry (else $PIPELINERUNNER_ACCESS_TOKEN)
          --certificate            TLS certificate: .pfx/.p12 (password in $PIPELINERUNNER_CERTIFICATE_PASSWORD) or PEM
          --client-ca              require client certificates issued by this authority (PEM)
          --worker-timeout         seconds without a heartbeat before a worker is declared dead (default 10)
          --allowed-worker-deaths  worker deaths a node may cause before it is failed as poisonous (default 3)
          --max-store-memory       megabytes of dataset values kept in memory; beyond, values spill to disk (default: half of RAM)
          --spill-directory        where spilled values go (default: a fresh temporary folder, removed on exit)
        """);
    return 2;
}

return exitCode.Value;
