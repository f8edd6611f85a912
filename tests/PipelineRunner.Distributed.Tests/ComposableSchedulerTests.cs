using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The scheduler as a piece of any ASP.NET Core app: AddPipelineRunnerScheduler + MapPipelineRunnerScheduler.</summary>
public sealed class ComposableSchedulerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AnAspNetCoreApp_HostsTheScheduler_ServesRuns_AndAnswersHealthProbesWithoutTheToken()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddPipelineRunnerScheduler(o => o.AccessToken = "secret-token");
        await using var app = builder.Build();
        app.MapPipelineRunnerScheduler();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        // The gRPC health service answers an orchestrator's probe, which carries no token.
        using (var channel = GrpcChannel.ForAddress(address))
        {
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.WaitAsync(Timeout);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }

        // A worker and a driver with the token run a pipeline through it, large values over its bulk endpoint.
        using var stop = new CancellationTokenSource();
        var workerOptions = new WorkerOptions { SchedulerAddress = address, WorkerId = "w1" };
        workerOptions.Security.AccessToken = "secret-token";
        var serving = new PipelineWorker(workerOptions, new PipelineNodeResolver(SharedPipelines.All())).RunAsync(stop.Token);
        try
        {
            var runnerOptions = new DistributedRunnerOptions { SchedulerAddress = address };
            runnerOptions.Security.AccessToken = "secret-token";
            await using var runner = new DistributedRunner(runnerOptions);
            var catalog = new DataCatalog();
            catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 2L });
            var expected = await new SequentialRunner().RunAsync(SharedPipelines.Blobs(), catalog);

            var outputs = await runner.RunAsync(SharedPipelines.Blobs(), catalog).WaitAsync(Timeout);

            Assert.Equal(expected["total_checksum"], outputs["total_checksum"]);
        }
        finally
        {
            await stop.CancelAsync();
            await serving;
        }
    }

    [Fact]
    public async Task InvalidOptions_FailTheAppsStart_NamingEveryOptionAtFault()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddPipelineRunnerScheduler(o => o.Host = "localhost");
        builder.Services.Configure<PipelineRunner.Distributed.Scheduling.SchedulerOptions>(o => o.BulkAdvertisedAddress = "no-port"); // the options pattern applies too

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = builder.Build();
            app.MapPipelineRunnerScheduler();
            await app.StartAsync();
        });

        Assert.Equal(
            [
                "SchedulerOptions.BulkAdvertisedAddress (--bulk-address) must be host:port with a port from 1 to 65535, optionally after tls:// or tcp://, got 'no-port'.",
                "SchedulerOptions.Host 'localhost' is not an IP address (for example 127.0.0.1 or 0.0.0.0).",
            ],
            ex.Failures);
    }

    [Fact]
    public async Task TheDashboardPort_AnswersHttp11LivenessAndReadinessProbes()
    {
        await using var scheduler = await PipelineRunner.Distributed.Scheduling.SchedulerServer.StartAsync(new PipelineRunner.Distributed.Scheduling.SchedulerOptions { DashboardPort = 0 });
        using var http = new HttpClient { BaseAddress = scheduler.DashboardAddress, DefaultRequestVersion = System.Net.HttpVersion.Version11 };

        var ready = await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative)).WaitAsync(Timeout);
        var live = await http.GetAsync(new Uri("/healthz/live", UriKind.Relative)).WaitAsync(Timeout);

        Assert.NotEqual(scheduler.Address.Port, scheduler.DashboardAddress!.Port);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(System.Net.HttpVersion.Version11, ready.Version);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task TheDashboardPort_OfASchedulerThatRequiresClientCertificates_StillAnswersAProbeWithout()
    {
        using var authority = TestCertificates.CreateAuthority("Probe CA");
        using var certificate = TestCertificates.CreateServer(authority);
        var options = new PipelineRunner.Distributed.Scheduling.SchedulerOptions
        {
            DashboardPort = 0,
            Certificate = certificate,
            ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate,
        };
        options.TrustedClientCertificates.Add(authority);
        await using var scheduler = await PipelineRunner.Distributed.Scheduling.SchedulerServer.StartAsync(options);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }; // as a Kubernetes HTTPS probe: no verification, no client certificate
        using var http = new HttpClient(handler);

        var ready = await http.GetAsync(new Uri(scheduler.DashboardAddress!, "/healthz/ready")).WaitAsync(Timeout);

        Assert.Equal("https", scheduler.DashboardAddress!.Scheme);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Readiness_IsUnhealthyWhileStartingAndOnceStopping()
    {
        var lifetime = new TestLifetime();
        var check = new PipelineRunner.Distributed.Scheduling.SchedulerReadinessCheck(lifetime);
        var context = new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext();

        var starting = await check.CheckHealthAsync(context);
        lifetime.Started.Cancel();
        var started = await check.CheckHealthAsync(context);
        lifetime.Stopping.Cancel();
        var stopping = await check.CheckHealthAsync(context);

        Assert.Equal(("Unhealthy", "The scheduler is starting."), (starting.Status.ToString(), starting.Description));
        Assert.Equal(("Healthy", "The scheduler accepts runs and workers."), (started.Status.ToString(), started.Description));
        Assert.Equal(("Unhealthy", "The scheduler is shutting down."), (stopping.Status.ToString(), stopping.Description));
    }

    private sealed class TestLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        public CancellationTokenSource Started { get; } = new();

        public CancellationTokenSource Stopping { get; } = new();

        public CancellationToken ApplicationStarted => Started.Token;

        public CancellationToken ApplicationStopping => Stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stopping.Cancel();
    }

    [Fact]
    public void AddingTheSchedulerTwice_IsRefused()
    {
        var services = new ServiceCollection().AddPipelineRunnerScheduler();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddPipelineRunnerScheduler());
        Assert.Equal("AddPipelineRunnerScheduler was called twice: an app hosts one scheduler.", ex.Message);
    }
}
