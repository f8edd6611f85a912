using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// The bulk endpoint as clients reach it: an advertised address (behind NAT or an ingress) is dialled, and clients that
/// cannot reach the bulk endpoint move values over the gRPC streams instead.
/// </summary>
public sealed class BulkAddressTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<(IReadOnlyDictionary<string, object?> Outputs, string Log)> RunBlobsAsync(Func<int, string> advertise)
    {
        var log = new StringWriterLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log));
        // The bulk port is known before the scheduler starts, so the advertised address can name it (or not).
        var bulkPort = FreePort();
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { BulkPort = bulkPort, BulkAdvertisedAddress = advertise(bulkPort) }, loggerFactory);
        using var stop = new CancellationTokenSource();
        var worker = new PipelineWorker(new WorkerOptions { SchedulerAddress = scheduler.Address, WorkerId = "w1" }, new PipelineNodeResolver(SharedPipelines.All()), loggerFactory);
        var serving = worker.RunAsync(stop.Token);
        try
        {
            await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = scheduler.Address }, loggerFactory);
            var outputs = await runner.RunAsync(SharedPipelines.Blobs(), Catalog()).WaitAsync(Timeout);
            Assert.Equal(["total_checksum"], (await runner.ListStoreAsync()).Names);
            return (outputs, log.ToString());
        }
        finally
        {
            await stop.CancelAsync();
            await serving;
        }
    }

    private static DataCatalog Catalog()
    {
        var catalog = new DataCatalog();
        catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 2L });
        return catalog;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task AnAdvertisedAddressClientsCannotReach_FallsBackToTheGrpcStreams_WithOneWarningEach()
    {
        var expected = await new SequentialRunner().RunAsync(SharedPipelines.Blobs(), Catalog());

        // Port 1 on loopback: nothing listens, as when the advertised address is wrong for this network.
        var (outputs, log) = await RunBlobsAsync(_ => "127.0.0.1:1");

        Assert.Equal(expected["total_checksum"], outputs["total_checksum"]);
        Assert.Contains("The store's bulk endpoint of the scheduler at ", log, StringComparison.Ordinal);
        Assert.Contains("cannot be reached (cannot connect to 127.0.0.1:1 (ConnectionRefused)); values go over the gRPC streams instead", log, StringComparison.Ordinal);
        Assert.InRange(log.Split('\n').Count(l => l.Contains("values go over the gRPC streams instead", StringComparison.Ordinal)), 1, 2); // once per client: the driver, the worker
    }

    [Fact]
    public async Task AnAdvertisedAddress_IsDialledForTheBulkEndpoint()
    {
        var expected = await new SequentialRunner().RunAsync(SharedPipelines.Blobs(), Catalog());

        var (outputs, log) = await RunBlobsAsync(port => $"localhost:{port}");

        Assert.Equal(expected["total_checksum"], outputs["total_checksum"]);
        Assert.DoesNotContain("gRPC streams instead", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterAFallback_TheBulkEndpointIsTriedAgain_OnceTheRetryDelayHasPassed()
    {
        var log = new StringWriterLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        var advertisedPort = FreePort(); // nothing listens there yet: the advertised address is unreachable at first
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { BulkAdvertisedAddress = $"127.0.0.1:{advertisedPort}" }, loggerFactory);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = scheduler.Address, TimeProvider = clock }, loggerFactory);
        var blob = Enumerable.Range(0, 2 * 1024 * 1024).Select(i => (byte)i).ToArray();
        // First transfer: the bulk endpoint cannot be reached, so the value goes over the gRPC stream, with a warning.
        var catalog = new DataCatalog();
        catalog.AddValues([new("blob_in", blob)]);
        var pipeline = new Pipelines.Pipeline([Pipelines.Node.Create((byte[] b) => b.Length, "blob_in", "length", name: "measure")]);
        using var stop = new CancellationTokenSource();
        var serving = new PipelineWorker(new WorkerOptions { SchedulerAddress = scheduler.Address, WorkerId = "w1" }, new PipelineNodeResolver([pipeline])).RunAsync(stop.Token);
        Assert.Equal(blob.Length, (await runner.RunAsync(pipeline, catalog).WaitAsync(Timeout))["length"]);
        var warnings = log.Count("values go over the gRPC streams instead");
        Assert.InRange(warnings, 1, 2); // the driver's publish; the worker's fetch too if it tried the bulk endpoint

        // Then the advertised address starts forwarding to the real bulk endpoint; after the retry delay it is used.
        using var forwarder = new Forwarder(advertisedPort, scheduler.BulkPort);
        clock.Advance(PipelineRunner.Distributed.Client.StoreClient.BulkRetryDelay);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            // The retry's continuation runs on the thread pool: a run may still go over gRPC just after the advance.
            Assert.Equal(blob.Length, (await runner.RunAsync(pipeline, catalog).WaitAsync(Timeout))["length"]);
        }
        while (forwarder.Connections == 0 && watch.Elapsed < TimeSpan.FromSeconds(10));

        Assert.True(forwarder.Connections > 0, "the bulk endpoint was not tried again");
        Assert.Equal(warnings, log.Count("values go over the gRPC streams instead")); // no new warning: the bulk endpoint worked
        await stop.CancelAsync();
        await serving;
    }

    [Fact]
    public async Task ATlsAdvertisedAddress_InFrontOfAPlainBulkPort_IsDialledWithTls()
    {
        // An ingress that terminates TLS in front of the scheduler's plain bulk port: the scheduler has no certificate,
        // and "tls://" tells clients to speak TLS to the advertised address anyway.
        var expected = await new SequentialRunner().RunAsync(SharedPipelines.Blobs(), Catalog());
        using var authority = TestCertificates.CreateAuthority("Ingress CA");
        using var certificate = TestCertificates.CreateServer(authority);
        var log = new StringWriterLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log));
        var ingressPort = FreePort();
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { BulkAdvertisedAddress = $"tls://127.0.0.1:{ingressPort}" }, loggerFactory);
        using var ingress = new Forwarder(ingressPort, scheduler.BulkPort, certificate);
        await RunBlobsTrustingAsync(scheduler.Address, authority, loggerFactory, expected);
        Assert.True(ingress.TlsHandshakes >= 2, $"expected TLS from the driver and the worker, saw {ingress.TlsHandshakes} handshakes");
        Assert.DoesNotContain("gRPC streams instead", log.ToString(), StringComparison.Ordinal); // every value went through the ingress
    }

    [Fact]
    public async Task AnHttpsScheduler_AdvertisingAPlainBulkEndpoint_IsNotFollowed_ValuesGoOverGrpc()
    {
        // A client that speaks TLS to the scheduler never sends its token and values in clear to a tcp:// bulk address.
        var expected = await new SequentialRunner().RunAsync(SharedPipelines.Blobs(), Catalog());
        using var authority = TestCertificates.CreateAuthority("Scheduler CA");
        using var certificate = TestCertificates.CreateServer(authority);
        var log = new StringWriterLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log));
        var plainPort = FreePort();
        using var watch = new Forwarder(plainPort, FreePort()); // counts connections to the advertised plain address
        await using var scheduler = await SchedulerServer.StartAsync(
            new SchedulerOptions { Certificate = certificate, BulkAdvertisedAddress = $"tcp://127.0.0.1:{plainPort}" }, loggerFactory);
        await RunBlobsTrustingAsync(scheduler.Address, authority, loggerFactory, expected);
        Assert.Equal(0, watch.Connections);
        Assert.Contains("is reached over https but advertises its bulk endpoint without TLS; values go over the gRPC streams instead", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATcpAdvertisedAddress_IsDialledWithoutTls()
    {
        var expected = await new SequentialRunner().RunAsync(SharedPipelines.Blobs(), Catalog());

        var (outputs, log) = await RunBlobsAsync(port => $"tcp://localhost:{port}");

        Assert.Equal(expected["total_checksum"], outputs["total_checksum"]);
        Assert.DoesNotContain("gRPC streams instead", log, StringComparison.Ordinal);
    }

    /// <summary>Runs the blobs pipeline on one worker, the worker and the driver trusting <paramref name="authority"/>.</summary>
    private static async Task RunBlobsTrustingAsync(Uri scheduler, System.Security.Cryptography.X509Certificates.X509Certificate2 authority, ILoggerFactory loggerFactory, IReadOnlyDictionary<string, object?> expected)
    {
        using var stop = new CancellationTokenSource();
        var workerOptions = new WorkerOptions { SchedulerAddress = scheduler, WorkerId = "w1" };
        workerOptions.Security.TrustedCertificates.Add(authority);
        var serving = new PipelineWorker(workerOptions, new PipelineNodeResolver(SharedPipelines.All()), loggerFactory).RunAsync(stop.Token);
        var runnerOptions = new DistributedRunnerOptions { SchedulerAddress = scheduler };
        runnerOptions.Security.TrustedCertificates.Add(authority);
        await using (var runner = new DistributedRunner(runnerOptions, loggerFactory))
        {
            var outputs = await runner.RunAsync(SharedPipelines.Blobs(), Catalog()).WaitAsync(Timeout);
            Assert.Equal(expected["total_checksum"], outputs["total_checksum"]);
        }

        await stop.CancelAsync();
        await serving;
    }

    /// <summary>
    /// Accepts on one loopback port and pipes each connection to another, counting connections; with a certificate it
    /// terminates TLS first, as an ingress does.
    /// </summary>
    private sealed class Forwarder : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        private int _tlsHandshakes;

        public Forwarder(int port, int target, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
        {
            _listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    Stream front = client.GetStream();
                    if (certificate is not null)
                    {
                        var tls = new System.Net.Security.SslStream(front);
                        await tls.AuthenticateAsServerAsync(certificate);
                        Interlocked.Increment(ref _tlsHandshakes);
                        front = tls;
                    }

                    var server = new System.Net.Sockets.TcpClient();
                    await server.ConnectAsync(System.Net.IPAddress.Loopback, target);
                    _ = front.CopyToAsync(server.GetStream(), _stop.Token);
                    _ = server.GetStream().CopyToAsync(front, _stop.Token);
                }
            });
        }

        public int Connections => Volatile.Read(ref _connections);

        public int TlsHandshakes => Volatile.Read(ref _tlsHandshakes);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }

    [Theory]
    [InlineData("no-port")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData(":5124")]
    [InlineData("https://host:5124")]
    [InlineData("tls://")]
    public async Task AMalformedAdvertisedAddress_IsRefusedAtStart_NamingIt(string address)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => SchedulerServer.StartAsync(new SchedulerOptions { BulkAdvertisedAddress = address }));

        Assert.StartsWith(
            $"SchedulerOptions.BulkAdvertisedAddress (--bulk-address) must be host:port with a port from 1 to 65535, optionally after tls:// or tcp://, got '{address}'.",
            ex.Message,
            StringComparison.Ordinal);
    }
}
