using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// A running scheduler: a Kestrel HTTP/2 server with the scheduler's gRPC service and dataset store, and optionally
/// its live dashboard on an HTTP/1.1 port (<see cref="SchedulerOptions.DashboardPort"/>). It needs no user code. Start one with <see cref="StartAsync"/>; dispose it to stop.
/// </summary>
public sealed class SchedulerServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DatasetStore _store;
    private readonly BulkEndpoint _bulk;

    private SchedulerServer(WebApplication app, DatasetStore store, BulkEndpoint bulk, Uri address)
    {
        _app = app;
        _store = store;
        _bulk = bulk;
        Address = address;
    }

    /// <summary>The address drivers and workers connect to, for example <c>http://127.0.0.1:5123</c>.</summary>
    public Uri Address { get; }

    /// <summary>
    /// The dashboard's address (the HTTP/1.1 endpoint of <see cref="SchedulerOptions.DashboardPort"/>, for example
    /// <c>http://127.0.0.1:8787/</c>), where the health endpoints answer HTTP probes too (<c>/healthz/ready</c>); null
    /// without a dashboard.
    /// </summary>
    public Uri? DashboardAddress { get; private init; }

    /// <summary>The port of the store's bulk endpoint (raw TCP beside the RPCs).</summary>
    public int BulkPort => _bulk.Port;

    /// <summary>Bytes held by the dataset store, in memory or spilled to disk.</summary>
    public long StoreBytes => _store.TotalBytes;

    /// <summary>Bytes of the store's values held in memory (at most about <see cref="SchedulerOptions.MaxStoreMemoryBytes"/>).</summary>
    public long StoreMemoryBytes => _store.MemoryBytes;

    /// <summary>Bytes of the store's values spilled to disk and not in memory.</summary>
    public long StoreSpilledBytes => _store.SpilledBytes;

    /// <summary>The folder the store spills values to (created on the first spill, removed when the scheduler stops if the store created it).</summary>
    public string SpillDirectory => _store.SpillDirectory;

    /// <summary>Bytes of released values kept for a short window to be reused, then dropped.</summary>
    public long RecycledBytes => _store.RecycledBytes;

    /// <summary>Names of the datasets in the store, sorted.</summary>
    public IReadOnlyList<string> StoreNames => _store.Names;

    /// <summary>The store itself, for tests and diagnostics.</summary>
    internal DatasetStore Store => _store;

    /// <summary>The scheduler app's services, for tests and diagnostics.</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>Starts a scheduler.</summary>
    /// <param name="options">Where to listen and limits; defaults when null.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running scheduler.</returns>
    /// <exception cref="ArgumentException">The host is not an IP address.</exception>
    public static async Task<SchedulerServer> StartAsync(SchedulerOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        options ??= new SchedulerOptions();
        new SchedulerOptionsValidator().ThrowIfInvalid(options);
        var ip = IPAddress.Parse(options.Host);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, PipelineRunner.Distributed.Scheduling.EmbeddedHostLifetime>();
        builder.Services.AddSingleton<ILoggerFactory>(new PipelineRunner.Distributed.Scheduling.QuietHostLoggerFactory(loggerFactory ?? NullLoggerFactory.Instance));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(ip, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (options.Certificate is not null)
                {
                    // The same TLS configuration as the bulk endpoint's, offering HTTP/2 for gRPC.
                    var tls = PipelineRunner.Distributed.Scheduling.SchedulerServerTls.ServerOptions(options, [System.Net.Security.SslApplicationProtocol.Http2]);
                    listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(tls) });
                }
            });
            if (options.DashboardPort is { } dashboardPort)
            {
                kestrel.Listen(ip, dashboardPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    if (options.Certificate is not null)
                    {
                        // The scheduler's certificate, but no client certificate: a probe (a Kubernetes httpGet) has none.
                        listen.UseHttps(options.Certificate);
                    }
                });
            }

            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        builder.Services.AddPipelineRunnerScheduler(options);
        var app = builder.Build();
        try
        {
            app.MapPipelineRunnerScheduler();
            app.MapPipelineRunnerSchedulerHealthChecks();
            if (options.DashboardPort is not null)
            {
                app.MapPipelineRunnerDashboard();
            }

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Kestrel lists its endpoints in the order they were configured: the gRPC one, then the dashboard's if any.
        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a).Port).ToList();
        var host = ip.Equals(IPAddress.Any) ? "127.0.0.1" : options.Host;
        var scheme = options.Certificate is null ? "http" : "https";
        return new SchedulerServer(app, app.Services.GetRequiredService<DatasetStore>(), app.Services.GetRequiredService<BulkEndpoint>(), new Uri($"{scheme}://{host}:{ports[0]}"))
        {
            DashboardAddress = options.DashboardPort is null ? null : new Uri($"{scheme}://{host}:{ports[1]}/"),
        };
    }

    /// <summary>Stops the scheduler.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)); // a bound on real peers: the system clock
        await _app.StopAsync(timeout.Token).ConfigureAwait(false); // the bulk endpoint stops with the app's hosted services
        await _app.DisposeAsync().ConfigureAwait(false); // and the store (its spill folder) with the app's services
    }
}

/// <summary>Where the store's bulk endpoint listens, once bound.</summary>
internal sealed class BulkEndpoint
{
    /// <summary>The bound port; 0 until the bulk endpoint has started.</summary>
    public int Port { get; set; }

    /// <summary>The <c>host:port</c> clients are told to dial; empty for the scheduler's host and <see cref="Port"/>.</summary>
    public string AdvertisedAddress { get; set; } = string.Empty;

    /// <summary>Whether clients speak TLS to the advertised address (or to the bulk endpoint itself).</summary>
    public bool Tls { get; set; }
}
