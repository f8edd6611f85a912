using Grpc.Core;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// A scheduler that cannot be reached, or is reached the wrong way, is reported to drivers and workers as one sentence
/// naming its address and the reason, with no gRPC status names or handler internals.
/// </summary>
public sealed class SchedulerMessagesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<SchedulerUnavailableException> DriverErrorAsync(Uri address, Action<PipelineRunner.Distributed.Client.SchedulerClientSecurity>? secure = null)
    {
        var options = new DistributedRunnerOptions { SchedulerAddress = address, ConnectTimeout = TimeSpan.FromSeconds(5) };
        secure?.Invoke(options.Security);
        await using var runner = new DistributedRunner(options);
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        return await Assert.ThrowsAsync<SchedulerUnavailableException>(() => runner.RunAsync(SharedPipelines.Chain(2), catalog).WaitAsync(Timeout));
    }

    /// <summary>A worker that retries (the default): only a refusal or a set-up mistake ends it.</summary>
    private static async Task<SchedulerUnavailableException> WorkerErrorAsync(Uri address, Action<PipelineRunner.Distributed.Client.SchedulerClientSecurity>? secure = null)
    {
        var options = new WorkerOptions { SchedulerAddress = address, WorkerId = "m1" };
        secure?.Invoke(options.Security);
        var worker = new PipelineWorker(options, new PipelineNodeResolver(SharedPipelines.All()));
        return await Assert.ThrowsAsync<SchedulerUnavailableException>(() => worker.RunAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task UnreachableScheduler_IsOneSentence_NamingTheAddressAndTheReason()
    {
        var refused = new Uri($"http://127.0.0.1:{WorkerConnectionTests.ClosedPort()}/");
        var error = await DriverErrorAsync(refused);
        Assert.Equal($"Cannot reach the scheduler at {refused}: connection refused.", error.Message);
        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(error.InnerException).StatusCode);

        var unknown = new Uri("http://no-such-host.invalid:5123/");
        error = await DriverErrorAsync(unknown);
        Assert.Equal("Cannot reach the scheduler at http://no-such-host.invalid:5123/: host name 'no-such-host.invalid' not found.", error.Message);

        var worker = new PipelineWorker(new WorkerOptions { SchedulerAddress = refused, WorkerId = "m1", Reconnect = false }, new PipelineNodeResolver(SharedPipelines.All()));
        var workerError = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => worker.RunAsync().WaitAsync(Timeout));
        Assert.Equal($"Worker 'm1' cannot reach the scheduler at {refused}: connection refused.", workerError.Message);
    }

    [Fact]
    public async Task HttpAgainstATlsScheduler_IsExplained_AndTheWorkerStopsInsteadOfRetrying()
    {
        using var authority = TestCertificates.CreateAuthority("PipelineRunner test CA");
        using var certificate = TestCertificates.CreateServer(authority);
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { Certificate = certificate });
        var http = new UriBuilder(scheduler.Address) { Scheme = "http" }.Uri;

        Assert.Equal($"Cannot reach the scheduler at {http}: it speaks https; use {scheduler.Address}.", (await DriverErrorAsync(http)).Message);
        Assert.Equal($"Worker 'm1' cannot reach the scheduler at {http}: it speaks https; use {scheduler.Address}.", (await WorkerErrorAsync(http)).Message);
    }

    [Fact]
    public async Task HttpsAgainstAPlainScheduler_IsExplained_AndTheWorkerStopsInsteadOfRetrying()
    {
        using var authority = TestCertificates.CreateAuthority("PipelineRunner test CA");
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions());
        var https = new UriBuilder(scheduler.Address) { Scheme = "https" }.Uri;

        var driver = await DriverErrorAsync(https, s => s.TrustedCertificates.Add(authority));
        Assert.Equal($"Cannot reach the scheduler at {https}: it speaks plain http (no TLS); use {scheduler.Address}.", driver.Message);
        var worker = await WorkerErrorAsync(https, s => s.TrustedCertificates.Add(authority));
        Assert.Equal($"Worker 'm1' cannot reach the scheduler at {https}: it speaks plain http (no TLS); use {scheduler.Address}.", worker.Message);
    }

    [Fact]
    public async Task UntrustedCertificate_IsExplained_AndTheWorkerStopsInsteadOfRetrying()
    {
        using var authority = TestCertificates.CreateAuthority("PipelineRunner test CA");
        using var certificate = TestCertificates.CreateServer(authority);
        using var other = TestCertificates.CreateAuthority("Some other CA");
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { Certificate = certificate });

        const string Reason = "its certificate is not trusted (give the authority that issued it: --trust CA.pem, or Security.TrustedCertificates)";
        Assert.Equal($"Cannot reach the scheduler at {scheduler.Address}: {Reason}.", (await DriverErrorAsync(scheduler.Address, s => s.TrustedCertificates.Add(other))).Message);
        Assert.Equal($"Worker 'm1' cannot reach the scheduler at {scheduler.Address}: {Reason}.", (await WorkerErrorAsync(scheduler.Address, s => s.TrustedCertificates.Add(other))).Message);
    }

    [Fact]
    public void OutOfRangeTimeouts_AreRefusedWhenTheRunnerOrWorkerIsCreated()
    {
        var error = Assert.Throws<ArgumentException>(() => new DistributedRunner(new DistributedRunnerOptions { PingDelay = TimeSpan.FromMilliseconds(500) }));
        Assert.Equal("DistributedRunnerOptions.PingDelay must be at least 1 s, got 0.5 s.", error.Message);
        error = Assert.Throws<ArgumentException>(() => new PipelineWorker(
            new WorkerOptions { SchedulerAddress = new Uri("http://127.0.0.1:1"), PingTimeout = TimeSpan.Zero },
            new PipelineNodeResolver(SharedPipelines.All())));
        Assert.Equal("WorkerOptions.PingTimeout must be at least 1 s, got 0 s.", error.Message);
        error = Assert.Throws<ArgumentException>(() => new PipelineWorker(
            new WorkerOptions { SchedulerAddress = new Uri("http://127.0.0.1:1"), GiveUpAfter = TimeSpan.Zero },
            new PipelineNodeResolver(SharedPipelines.All())));
        Assert.StartsWith("WorkerOptions.GiveUpAfter must be positive (or null to retry forever), but was 0 s.", error.Message, StringComparison.Ordinal);
    }
}
