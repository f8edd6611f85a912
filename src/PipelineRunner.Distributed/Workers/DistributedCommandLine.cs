using System.Globalization;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.Security;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Workers;

/// <summary>
/// One-call entry points that turn an app into a worker (<c>myapp worker --scheduler URL</c>) or a standalone scheduler
/// (<c>myapp scheduler --host 0.0.0.0 --port 5123</c>), like Dask workers importing the user's package.
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
    public static async Task<int?> RunWorkerIfRequestedAsync(
        string[] args,
        IEnumerable<Pipeline> pipelines,
        TextWriter output,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Length == 0 || args[0] != "worker")
        {
            return null;
        }

        var address = Option(args, "--scheduler");
        if (address is null || !Uri.TryCreate(address, UriKind.Absolute, out var scheduler) || scheduler.Scheme is not ("http" or "https"))
        {
            await output.WriteLineAsync($"worker: --scheduler must be an http(s) URL such as http://127.0.0.1:5123, got '{address ?? "(missing)"}'.").ConfigureAwait(false);
            return 2;
        }

        var concurrencyText = Option(args, "--concurrency") ?? "1";
        if (!int.TryParse(concurrencyText, NumberStyles.None, CultureInfo.InvariantCulture, out var concurrency) || concurrency < 1)
        {
            await output.WriteLineAsync($"worker: --concurrency must be a whole number of at least 1, got '{concurrencyText}'.").ConfigureAwait(false);
            return 2;
        }

        var options = new WorkerOptions { SchedulerAddress = scheduler, MaxConcurrentNodes = concurrency };
        if (Option(args, "--id") is { } id)
        {
            options.WorkerId = id;
        }

        PipelineWorker worker;
        try
        {
            if (Option(args, "--ping-delay") is { } pingDelay)
            {
                options.PingDelay = TimeSpan.FromSeconds(PositiveNumber(pingDelay, "--ping-delay"));
            }

            if (Option(args, "--ping-timeout") is { } pingTimeout)
            {
                options.PingTimeout = TimeSpan.FromSeconds(PositiveNumber(pingTimeout, "--ping-timeout"));
            }

            if (Option(args, "--give-up-after") is { } giveUp)
            {
                options.GiveUpAfter = TimeSpan.FromSeconds(PositiveNumber(giveUp, "--give-up-after"));
            }

            options.Security.AccessToken = SecurityFiles.ReadAccessToken(Option(args, "--token-file"));
            if (Option(args, "--trust") is { } trusted)
            {
                options.Security.TrustedCertificates.Add(SecurityFiles.LoadCertificate(trusted));
            }

            if (Option(args, "--client-certificate") is { } client)
            {
                options.Security.ClientCertificate = SecurityFiles.LoadCertificate(client, Option(args, "--client-key"), requirePrivateKey: true);
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

    /// <summary>
    /// When <paramref name="args"/> start with <c>scheduler</c>, runs a standalone scheduler (<c>--host</c>, default
    /// 127.0.0.1; <c>--port</c>, default 0 = any free port) until <paramref name="cancellationToken"/> is cancelled, after
    /// printing <c>scheduler listening on URL</c>. Security: <c>--token-file PATH</c> (else <c>PIPELINERUNNER_ACCESS_TOKEN</c>),
    /// <c>--certificate PATH</c> [<c>--certificate-key PATH</c>] for TLS, <c>--client-ca PATH</c> to require client
    /// certificates it issued. Faults: <c>--worker-timeout SECONDS</c>, <c>--allowed-worker-deaths N</c>. Store:
    /// <c>--max-store-memory MB</c>, <c>--spill-directory PATH</c>, <c>--bulk-address HOST:PORT</c> (the bulk endpoint's address as
    /// clients reach it, behind NAT or an ingress).
    /// </summary>
    /// <param name="args">The app's command-line arguments.</param>
    /// <param name="output">Where to print the address and argument errors.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="cancellationToken">Stops the scheduler.</param>
    /// <returns>null when the arguments are not a scheduler command; otherwise the exit code.</returns>
    public static async Task<int?> RunSchedulerIfRequestedAsync(
        string[] args,
        TextWriter output,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Length == 0 || args[0] != "scheduler")
        {
            return null;
        }

        var portText = Option(args, "--port") ?? "0";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            await output.WriteLineAsync($"scheduler: --port must be a number from 0 to 65535, got '{portText}'.").ConfigureAwait(false);
            return 2;
        }

        SchedulerServer server;
        try
        {
            var options = new SchedulerOptions { Host = Option(args, "--host") ?? "127.0.0.1", Port = port };
            options.AccessToken = SecurityFiles.ReadAccessToken(Option(args, "--token-file"));
            if (Option(args, "--certificate") is { } certificate)
            {
                options.Certificate = SecurityFiles.LoadCertificate(certificate, Option(args, "--certificate-key"), requirePrivateKey: true);
            }

            if (Option(args, "--client-ca") is { } clientAuthority)
            {
                options.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                options.TrustedClientCertificates.Add(SecurityFiles.LoadCertificate(clientAuthority));
            }

            if (Option(args, "--worker-timeout") is { } timeout)
            {
                options.WorkerTimeout = TimeSpan.FromSeconds(PositiveNumber(timeout, "--worker-timeout"));
            }

            if (Option(args, "--max-store-memory") is { } memory)
            {
                options.MaxStoreMemoryBytes = (long)(PositiveNumber(memory, "--max-store-memory") * 1024 * 1024);
            }

            if (Option(args, "--bulk-port") is { } bulkPortText)
            {
                options.BulkPort = int.TryParse(bulkPortText, NumberStyles.None, CultureInfo.InvariantCulture, out var bulkPort) && bulkPort <= 65535
                    ? bulkPort
                    : throw new ArgumentException($"--bulk-port must be a number from 0 to 65535, got '{bulkPortText}'.");
            }

            if (Option(args, "--bulk-address") is { } bulkAddress)
            {
                options.BulkAdvertisedAddress = bulkAddress;
            }

            if (Option(args, "--spill-directory") is { } spill)
            {
                options.SpillDirectory = spill;
            }

            if (Option(args, "--allowed-worker-deaths") is { } deaths)
            {
                options.AllowedWorkerDeaths = (int)PositiveNumber(deaths, "--allowed-worker-deaths");
            }

            if (options.AccessToken is null && System.Net.IPAddress.TryParse(options.Host, out var ip) && !System.Net.IPAddress.IsLoopback(ip) && loggerFactory is not null)
            {
                loggerFactory.CreateLogger("PipelineRunner.Scheduler").LogWarning(
                    "The scheduler listens on {Host} without an access token: anyone who can reach it can run nodes and read the store. Give --token-file or {Variable}.",
                    options.Host,
                    SecurityFiles.AccessTokenVariable);
            }

            server = await SchedulerServer.StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"scheduler: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await using (server.ConfigureAwait(false))
        {
            await output.WriteLineAsync($"scheduler listening on {server.Address}").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        return 0;
    }

    private static double PositiveNumber(string text, string option) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option} must be a positive number, got '{text}'.");

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
