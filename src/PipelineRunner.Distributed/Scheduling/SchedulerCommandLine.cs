using System.Globalization;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// One-call entry points that turn an app into a standalone scheduler (<c>myapp scheduler --host 0.0.0.0 --port 5123</c>),
/// and the scheduler's command-line options, shared by every command line that starts one (the app host's
/// <c>scheduler</c> command, the <c>pipeline-runner</c> tool, apps without the host).
/// </summary>
public static class SchedulerCommandLine
{
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

        SchedulerOptions options;
        try
        {
            options = SchedulerOptionsFrom(name => name == "--no-dashboard" ? (args.Contains(name) ? string.Empty : null) : CommandLineArgs.Option(args, name));
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"scheduler: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        return await ServeSchedulerAsync(options, output, loggerFactory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a scheduler with <paramref name="options"/> until <paramref name="cancellationToken"/> is cancelled, after
    /// printing <c>scheduler listening on URL</c> and, with a dashboard, <c>dashboard at URL</c> (when the dashboard's
    /// port is <see cref="SchedulerOptions.DefaultDashboardPort"/> and taken, it serves on a free port instead); on cancellation it stops (running runs' drivers are told, spill files
    /// removed) and returns 0.
    /// </summary>
    /// <param name="options">Where to listen, security, limits.</param>
    /// <param name="output">Where to print the address and errors in the options.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="cancellationToken">Stops the scheduler.</param>
    /// <returns>The exit code: 0, or 2 when the options are invalid.</returns>
    public static async Task<int> ServeSchedulerAsync(SchedulerOptions options, TextWriter output, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (options.AccessToken is null && System.Net.IPAddress.TryParse(options.Host, out var ip) && !System.Net.IPAddress.IsLoopback(ip) && loggerFactory is not null)
        {
            loggerFactory.CreateLogger("PipelineRunner.Scheduler").LogWarning(
                "The scheduler listens on {Host} without an access token: anyone who can reach it can run nodes and read the store. Give --token-file or {Variable}.",
                options.Host,
                SecurityFiles.AccessTokenVariable);
        }

        SchedulerServer server;
        try
        {
            try
            {
                server = await SchedulerServer.StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException) when (options.DashboardPort == SchedulerOptions.DefaultDashboardPort)
            {
                // As Dask does: another scheduler (or anything) holds 8787, so the dashboard takes a free port instead.
                await output.WriteLineAsync($"dashboard port {SchedulerOptions.DefaultDashboardPort} is in use; serving the dashboard on a free port instead").ConfigureAwait(false);
                options.DashboardPort = 0;
                server = await SchedulerServer.StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"scheduler: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await using (server.ConfigureAwait(false))
        {
            await output.WriteLineAsync($"scheduler listening on {server.Address}").ConfigureAwait(false);
            if (server.DashboardAddress is { } dashboard)
            {
                await output.WriteLineAsync($"dashboard at {dashboard}").ConfigureAwait(false);
                await output.WriteLineAsync($"scheduler health at {new Uri(dashboard, Microsoft.AspNetCore.Builder.SchedulerEndpointRouteBuilderExtensions.ReadinessPath)}").ConfigureAwait(false);
            }

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

    /// <summary>The scheduler command's options and what each does: one list for every command line that starts a scheduler.</summary>
    internal static IReadOnlyList<(string Name, string Description, bool Flag)> SchedulerOptionDescriptions { get; } =
    [
        ("--host", "Address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces).", false),
        ("--port", "Port (default 0: any free port).", false),
        ("--token-file", $"File holding the access token every call must carry (else ${SecurityFiles.AccessTokenVariable}).", false),
        ("--certificate", "TLS certificate: .pfx/.p12 (password in $PIPELINERUNNER_CERTIFICATE_PASSWORD) or PEM.", false),
        ("--certificate-key", "The PEM private key of --certificate, when it is a separate file.", false),
        ("--client-ca", "Require client certificates issued by this authority (PEM).", false),
        ("--worker-timeout", "Seconds without a heartbeat before a worker is declared dead (default 10).", false),
        ("--allowed-worker-deaths", "Worker deaths a node may cause before it is failed as poisonous (default 3).", false),
        ("--max-store-memory", "Megabytes of dataset values kept in memory; beyond, values spill to disk (default: half of RAM).", false),
        ("--spill-directory", "Where spilled values go (default: a fresh temporary folder, removed on exit).", false),
        ("--dashboard-port", "Port of the live dashboard (HTTP/1.1; also /healthz/live and /healthz/ready for HTTP probes); default 8787, 0 for any free port.", false),
        ("--no-dashboard", "Serve no dashboard (gRPC health checks still work on --port).", true),
        ("--bulk-port", "Port of the store's bulk endpoint for large values (default 0: any free port).", false),
        ("--bulk-address", "host:port clients dial for the bulk endpoint, behind NAT or an ingress (default: the scheduler's host and the bulk port); tls://host:port or tcp://host:port says whether clients speak TLS to it (default: TLS when the scheduler has a certificate).", false),
    ];

    /// <summary>
    /// The scheduler's options from the command line's values, looked up by option name (<c>--port</c>; a flag such as
    /// <c>--no-dashboard</c> gives a non-null value when present).
    /// </summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names the option.</exception>
    internal static SchedulerOptions SchedulerOptionsFrom(Func<string, string?> option)
    {
        var portText = option("--port") ?? "0";
        var options = new SchedulerOptions
        {
            Host = option("--host") ?? "127.0.0.1",
            Port = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
                ? port
                : throw new ArgumentException($"--port must be a number from 0 to 65535, got '{portText}'."),
        };
        options.AccessToken = SecurityFiles.ReadAccessToken(option("--token-file"));
        if (option("--certificate") is { } certificate)
        {
            options.Certificate = SecurityFiles.LoadCertificate(certificate, option("--certificate-key"), requirePrivateKey: true);
        }

        if (option("--client-ca") is { } clientAuthority)
        {
            options.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
            options.TrustedClientCertificates.Add(SecurityFiles.LoadCertificate(clientAuthority));
        }

        if (option("--worker-timeout") is { } timeout)
        {
            options.WorkerTimeout = TimeSpan.FromSeconds(CommandLineArgs.PositiveNumber(timeout, "--worker-timeout"));
        }

        if (option("--max-store-memory") is { } memory)
        {
            options.MaxStoreMemoryBytes = (long)(CommandLineArgs.PositiveNumber(memory, "--max-store-memory") * 1024 * 1024);
        }

        if (option("--bulk-port") is { } bulkPortText)
        {
            options.BulkPort = int.TryParse(bulkPortText, NumberStyles.None, CultureInfo.InvariantCulture, out var bulkPort) && bulkPort <= 65535
                ? bulkPort
                : throw new ArgumentException($"--bulk-port must be a number from 0 to 65535, got '{bulkPortText}'.");
        }

        if (option("--no-dashboard") is not null)
        {
            options.DashboardPort = null;
        }
        else if (option("--dashboard-port") is { } dashboardPortText)
        {
            options.DashboardPort = int.TryParse(dashboardPortText, NumberStyles.None, CultureInfo.InvariantCulture, out var dashboardPort) && dashboardPort <= 65535
                ? dashboardPort
                : throw new ArgumentException($"--dashboard-port must be a number from 0 to 65535, got '{dashboardPortText}'.");
        }
        else
        {
            options.DashboardPort = SchedulerOptions.DefaultDashboardPort;
        }

        options.BulkAdvertisedAddress = option("--bulk-address");
        if (option("--spill-directory") is { } spill)
        {
            options.SpillDirectory = spill;
        }

        if (option("--allowed-worker-deaths") is { } deaths)
        {
            options.AllowedWorkerDeaths = (int)CommandLineArgs.PositiveNumber(deaths, "--allowed-worker-deaths");
        }

        return options;
    }
}
