using System.Globalization;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Workers;

/// <summary>
/// One-call entry point that turns an app into a worker (<c>myapp worker --scheduler URL</c>), like Dask workers
/// importing the user's package. A standalone scheduler is <see cref="SchedulerCommandLine"/>'s.
/// </summary>
public static class DistributedCommandLine
{
    /// <summary>
    /// When <paramref name="args"/> start with <c>worker</c>, serves the scheduler given by <c>--scheduler URL</c> with
    /// the nodes of <paramref name="pipelines"/> until <paramref name="cancellationToken"/> is cancelled. Options:
    /// <c>--id ID</c>, <c>--concurrency N</c> (nodes at once, default 1), <c>--token-file PATH</c> (else the
    /// <c>PIPELINERUNNER_ACCESS_TOKEN</c> environment variable), <c>--trust CA.pem</c> (for an <c>https://</c> scheduler),
    /// <c>--client-certificate PATH</c> [<c>--client-key PATH</c>]; <c>--ping-delay SECONDS</c> and <c>--ping-timeout SECONDS</c>
    /// (<see cref="WorkerOptions.PingDelay"/>, <see cref="WorkerOptions.PingTimeout"/>: a silent scheduler is noticed
    /// within their sum), <c>--give-up-after SECONDS</c> (<see cref="WorkerOptions.GiveUpAfter"/>; retry forever by default).
    /// </summary>
    /// <param name="args">The app's command-line arguments.</param>
    /// <param name="pipelines">The pipelines registered in this app.</param>
    /// <param name="output">Where to print the worker's start line and argument errors.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="cancellationToken">Stops the worker.</param>
    /// <returns>
    /// null when the arguments are not a worker command; otherwise the exit code: 0 when stopped; 1 when the scheduler
    /// refused the worker or the worker gave up reaching it (one line says why); 2 for bad arguments.
    /// </returns>
    public static Task<int?> RunWorkerIfRequestedAsync(
        string[] args,
        IEnumerable<Pipeline> pipelines,
        TextWriter output,
        ILoggerFactory? loggerFactory,
        CancellationToken cancellationToken) =>
        RunWorkerIfRequestedAsync(args, pipelines, output, loggerFactory, hooks: null, cancellationToken);

    /// <summary>
    /// As <see cref="RunWorkerIfRequestedAsync(string[], IEnumerable{Pipeline}, TextWriter, ILoggerFactory?, CancellationToken)"/>,
    /// with the node and dataset hooks the worker calls around every node it runs (<see cref="WorkerOptions.Hooks"/>):
    /// node hooks run where the node runs, so a worker passes its app's hooks here.
    /// </summary>
    /// <param name="args">The app's command-line arguments.</param>
    /// <param name="pipelines">The pipelines registered in this app.</param>
    /// <param name="output">Where to print the worker's start line and argument errors.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="hooks">The app's node and dataset hooks, called in order; none when null.</param>
    /// <param name="cancellationToken">Stops the worker.</param>
    /// <returns>
    /// null when the arguments are not a worker command; otherwise the exit code: 0 when stopped; 1 when the scheduler
    /// refused the worker or the worker gave up reaching it (one line says why); 2 for bad arguments.
    /// </returns>
    public static async Task<int?> RunWorkerIfRequestedAsync(
        string[] args,
        IEnumerable<Pipeline> pipelines,
        TextWriter output,
        ILoggerFactory? loggerFactory = null,
        IEnumerable<IRunHook>? hooks = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Length == 0 || args[0] != "worker")
        {
            return null;
        }

        Uri scheduler;
        try
        {
            scheduler = PipelineRunner.Distributed.Protocol.SchedulerAddressRule.Parse(CommandLineArgs.Option(args, "--scheduler"), "--scheduler");
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"worker: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var concurrencyText = CommandLineArgs.Option(args, "--concurrency") ?? "1";
        if (!int.TryParse(concurrencyText, NumberStyles.None, CultureInfo.InvariantCulture, out var concurrency) || concurrency < 1)
        {
            await output.WriteLineAsync($"worker: --concurrency must be a whole number of at least 1, got '{concurrencyText}'.").ConfigureAwait(false);
            return 2;
        }

        var options = new WorkerOptions { SchedulerAddress = scheduler, MaxConcurrentNodes = concurrency, Hooks = hooks?.ToList() ?? [] };
        if (CommandLineArgs.Option(args, "--id") is { } id)
        {
            options.WorkerId = id;
        }

        PipelineWorker worker;
        try
        {
            if (CommandLineArgs.Option(args, "--ping-delay") is { } pingDelay)
            {
                options.PingDelay = TimeSpan.FromSeconds(CommandLineArgs.PositiveNumber(pingDelay, "--ping-delay"));
            }

            if (CommandLineArgs.Option(args, "--ping-timeout") is { } pingTimeout)
            {
                options.PingTimeout = TimeSpan.FromSeconds(CommandLineArgs.PositiveNumber(pingTimeout, "--ping-timeout"));
            }

            if (CommandLineArgs.Option(args, "--give-up-after") is { } giveUp)
            {
                options.GiveUpAfter = TimeSpan.FromSeconds(CommandLineArgs.PositiveNumber(giveUp, "--give-up-after"));
            }

            options.Security.AccessToken = SecurityFiles.ReadAccessToken(CommandLineArgs.Option(args, "--token-file"));
            if (CommandLineArgs.Option(args, "--trust") is { } trusted)
            {
                options.Security.TrustedCertificates.Add(SecurityFiles.LoadCertificate(trusted));
            }

            if (CommandLineArgs.Option(args, "--client-certificate") is { } client)
            {
                options.Security.ClientCertificate = SecurityFiles.LoadCertificate(client, CommandLineArgs.Option(args, "--client-key"), requirePrivateKey: true);
            }

            worker = new PipelineWorker(options, new PipelineNodeResolver(pipelines), loggerFactory);
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"worker: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await output.WriteLineAsync($"worker {worker.Id} serving {scheduler}").ConfigureAwait(false);
        try
        {
            await worker.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SchedulerUnavailableException ex)
        {
            // Refused (credentials, certificate, http against https) or gave up: one sentence naming the worker, the
            // scheduler and the reason.
            await output.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
