// pipeline-runner scheduler [--host IP] [--port N]: a standalone scheduler with its dataset store. It needs no user
// code: drivers and workers (the users' apps) connect to the address it prints.
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Workers;

const string Usage = """
    usage: pipeline-runner scheduler [--host IP] [--port N] [--token-file PATH] [--certificate PATH [--certificate-key PATH]]
                                     [--client-ca PATH] [--worker-timeout SECONDS] [--allowed-worker-deaths N]
                                     [--max-store-memory MB] [--spill-directory PATH]
           pipeline-runner --help | --version
      --host                   address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces)
      --port                   port (default 0: any free port)
      --token-file             file holding the access token every call must carry (else $PIPELINERUNNER_ACCESS_TOKEN)
      --certificate            TLS certificate: .pfx/.p12 (password in $PIPELINERUNNER_CERTIFICATE_PASSWORD) or PEM
      --client-ca              require client certificates issued by this authority (PEM)
      --worker-timeout         seconds without a heartbeat before a worker is declared dead (default 10)
      --allowed-worker-deaths  worker deaths a node may cause before it is failed as poisonous (default 3)
      --max-store-memory       megabytes of dataset values kept in memory; beyond, values spill to disk (default: half of RAM)
      --spill-directory        where spilled values go (default: a fresh temporary folder, removed on exit)
    SIGTERM or Ctrl+C stops the scheduler: running runs' drivers are told, the spill folder is removed, exit code 0.
    """;

switch (args)
{
    case [] or ["--help" or "-h" or "-?" or "help"] or ["scheduler", "--help" or "-h" or "-?"]:
        Console.WriteLine(Usage);
        return 0;
    case ["--version"]:
        Console.WriteLine(typeof(DistributedCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
        return 0;
    case ["scheduler", ..]:
        break;
    default:
        Console.Error.WriteLine($"pipeline-runner: unknown command '{args[0]}'. Run 'pipeline-runner --help' for the commands.");
        return 2;
}

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
var stop = new CancellationTokenSource(); // not disposed: a signal may still arrive while the process ends

// SIGTERM (docker stop, systemd, Kubernetes) and SIGINT (Ctrl+C) stop the scheduler gracefully instead of ending the
// process at once; a second signal while it stops ends the process the default way.
using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop))
using (PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop))
{
    return await DistributedCommandLine.RunSchedulerIfRequestedAsync(args, Console.Out, loggerFactory, stop.Token) ?? 2;
}

void Stop(PosixSignalContext context)
{
    context.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
}

/// <summary>The tool's entry point; an app, not an API.</summary>
internal static partial class Program;
