using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>Access tokens on every RPC and on the bulk endpoint, and TLS with server and client certificates made by the test.</summary>
public sealed class SecurityTests
{
    private const string Token = "correct-horse-battery-staple";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<(IReadOnlyDictionary<string, object?> Outputs, IReadOnlyList<string> Store)> RunBlobAsync(SchedulerServer scheduler, Action<PipelineRunner.Distributed.Client.SchedulerClientSecurity> secure)
    {
        var workerOptions = new WorkerOptions { SchedulerAddress = scheduler.Address, WorkerId = "secure-worker", Reconnect = false };
        secure(workerOptions.Security);
        using var stop = new CancellationTokenSource();
        var worker = new PipelineWorker(workerOptions, new PipelineNodeResolver(SharedPipelines.All()));
        var serving = worker.RunAsync(stop.Token);
        try
        {
            var options = new DistributedRunnerOptions { SchedulerAddress = scheduler.Address };
            secure(options.Security);
            await using var runner = new DistributedRunner(options);
            var catalog = new DataCatalog();
            catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 2L }); // 2 MB: the bulk endpoint carries it
            var outputs = await runner.RunAsync(SharedPipelines.Blob(), catalog).WaitAsync(Timeout);
            return (outputs, (await runner.ListStoreAsync()).Names);
        }
        finally
        {
            await stop.CancelAsync();
            await serving.WaitAsync(Timeout);
        }
    }

    private static long ExpectedChecksum => SharedPipelines.Checksum(SharedPipelines.CreateBlob(2));

    [Fact]
    public async Task WithTheToken_RunsEndToEnd_IncludingTheBulkEndpoint()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { AccessToken = Token });
        var (outputs, _) = await RunBlobAsync(scheduler, s => s.AccessToken = Token);
        Assert.Equal(ExpectedChecksum, outputs["checksum"]);
    }

    [Theory]
    [InlineData(null, "The scheduler requires an access token")]
    [InlineData("wrong-token", "The access token is not valid for this scheduler.")]
    public async Task EveryRpc_WithoutAValidToken_IsUnauthenticated_AndChangesNothing(string? token, string message)
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { AccessToken = Token });
        using var channel = GrpcChannel.ForAddress(scheduler.Address);
        var good = new Protocol.Scheduler.SchedulerClient(channel);
        var authorized = new Metadata { { "authorization", "Bearer " + Token } };
        var presented = token is null ? new Metadata() : new Metadata { { "authorization", "Bearer " + token } };
        await PublishAsync(good, "kept", [1, 2, 3], authorized);

        var calls = new Dictionary<string, Func<Task>>
        {
            ["Info"] = async () => await good.InfoAsync(new InfoRequest(), presented),
            ["Status"] = async () => await good.StatusAsync(new StatusRequest(), presented),
            ["List"] = async () => await good.ListAsync(new ListRequest(), presented),
            ["Exists"] = async () => await good.ExistsAsync(new DatasetNamesRequest { Names = { "kept" } }, presented),
            ["Release"] = async () => await good.ReleaseAsync(new DatasetNamesRequest { Names = { "kept" } }, presented),
            ["Get"] = async () =>
            {
                using var call = good.Get(new GetRequest { Name = "kept" }, presented);
                await call.ResponseStream.MoveNext();
            },
            ["Publish"] = () => PublishAsync(good, "kept", [9, 9], presented),
            ["SubmitRun"] = async () =>
            {
                using var call = good.SubmitRun(new SubmitRunRequest { RunId = "r", Nodes = { new NodeSpec { Name = "n" } } }, presented);
                await call.ResponseStream.MoveNext();
            },
            ["Connect"] = async () =>
            {
                using var call = good.Connect(presented);
                await WriteIgnoringRefusalAsync(() => call.RequestStream.WriteAsync(new WorkerMessage { Register = new RegisterWorker { WorkerId = "intruder", Concurrency = 1 } }));
                await call.ResponseStream.MoveNext();
            },
        };
        foreach (var (name, call) in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(error.StatusCode == StatusCode.Unauthenticated, $"{name}: {error.Status}");
            Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(["kept"], scheduler.StoreNames);
        Assert.Equal(3, scheduler.StoreBytes);
    }

    [Theory]
    [InlineData(null, "The scheduler requires an access token: authenticate first.")]
    [InlineData("wrong-token", "The access token is not valid for this scheduler.")]
    public async Task BulkEndpoint_WithoutAValidToken_IsRefused_AndStoresNothing(string? token, string message)
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { AccessToken = Token });
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", scheduler.BulkPort);
        var stream = client.GetStream();
        if (token is not null)
        {
            await stream.WriteAsync(PipelineRunner.Distributed.Protocol.BulkProtocol.RequestHeader(PipelineRunner.Distributed.Protocol.BulkProtocol.Authenticate, token, 0));
        }
        else
        {
            await stream.WriteAsync(PipelineRunner.Distributed.Protocol.BulkProtocol.RequestHeader(PipelineRunner.Distributed.Protocol.BulkProtocol.Publish, "sneaky", 4));
            await stream.WriteAsync(new byte[4]);
        }

        var header = new byte[9];
        await stream.ReadExactlyAsync(header);
        Assert.Equal(PipelineRunner.Distributed.Protocol.BulkProtocol.Unauthenticated, header[0]);
        var text = new byte[BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(1))];
        await stream.ReadExactlyAsync(text);
        Assert.Equal(message, Encoding.UTF8.GetString(text));
        Assert.Equal(0, await stream.ReadAsync(new byte[1])); // the server closed the connection
        Assert.Empty(scheduler.StoreNames);
    }

    [Fact]
    public async Task DriverWithoutToken_FailsWithAClearError()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { AccessToken = Token });
        await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = scheduler.Address });
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        var error = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => runner.RunAsync(SharedPipelines.Chain(2), catalog).WaitAsync(Timeout));
        Assert.StartsWith($"Cannot reach the scheduler at {scheduler.Address}: it refused this client: The scheduler requires an access token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_WithATrustedTestCertificate_RunsEndToEnd_AndUntrustedClientsAreRefused()
    {
        using var authority = TestCertificates.CreateAuthority("PipelineRunner test CA");
        using var server = TestCertificates.CreateServer(authority);
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { Certificate = server, AccessToken = Token });
        Assert.Equal("https", scheduler.Address.Scheme);

        var (outputs, _) = await RunBlobAsync(scheduler, s =>
        {
            s.AccessToken = Token;
            s.TrustedCertificates.Add(authority);
        });
        Assert.Equal(ExpectedChecksum, outputs["checksum"]);

        // A driver that does not trust the certificate refuses to talk to the scheduler.
        var options = new DistributedRunnerOptions { SchedulerAddress = scheduler.Address, ConnectTimeout = TimeSpan.FromSeconds(5) };
        options.Security.AccessToken = Token;
        options.Security.TrustedCertificates.Add(TestCertificates.CreateAuthority("Some other CA"));
        await using var untrusting = new DistributedRunner(options);
        var error = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => untrusting.ListStoreAsync().WaitAsync(Timeout));
        Assert.Contains("SSL", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Tls_WithRequiredClientCertificates_AcceptsOnlyClientsTheSchedulerTrusts()
    {
        using var authority = TestCertificates.CreateAuthority("PipelineRunner test CA");
        using var server = TestCertificates.CreateServer(authority);
        using var clientAuthority = TestCertificates.CreateAuthority("PipelineRunner client CA");
        using var client = TestCertificates.CreateClient(clientAuthority, "worker-1");
        var schedulerOptions = new SchedulerOptions { Certificate = server, ClientCertificateMode = ClientCertificateMode.RequireCertificate };
        schedulerOptions.TrustedClientCertificates.Add(clientAuthority);
        await using var scheduler = await SchedulerServer.StartAsync(schedulerOptions);

        var (outputs, _) = await RunBlobAsync(scheduler, s =>
        {
            s.TrustedCertificates.Add(authority);
            s.ClientCertificate = client;
        });
        Assert.Equal(ExpectedChecksum, outputs["checksum"]);

        using var stranger = TestCertificates.CreateClient(TestCertificates.CreateAuthority("Unknown CA"), "stranger");
        foreach (var certificate in new[] { null, stranger })
        {
            var options = new DistributedRunnerOptions { SchedulerAddress = scheduler.Address, ConnectTimeout = TimeSpan.FromSeconds(5) };
            options.Security.TrustedCertificates.Add(authority);
            options.Security.ClientCertificate = certificate;
            await using var runner = new DistributedRunner(options);
            await Assert.ThrowsAsync<SchedulerUnavailableException>(() => runner.ListStoreAsync().WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task ClientCertificateSettings_ThatWouldNotProtect_AreRefused()
    {
        using var authority = TestCertificates.CreateAuthority("PipelineRunner test CA");
        var withoutTls = new SchedulerOptions { ClientCertificateMode = ClientCertificateMode.RequireCertificate };
        withoutTls.TrustedClientCertificates.Add(authority);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SchedulerServer.StartAsync(withoutTls));
        Assert.StartsWith("Client certificates need TLS: set SchedulerOptions.Certificate (--certificate) as well", error.Message, StringComparison.Ordinal);

        using var server = TestCertificates.CreateServer(authority);
        var withoutAuthorities = new SchedulerOptions { Certificate = server, ClientCertificateMode = ClientCertificateMode.RequireCertificate };
        error = await Assert.ThrowsAsync<ArgumentException>(() => SchedulerServer.StartAsync(withoutAuthorities));
        Assert.StartsWith("Client certificates need both SchedulerOptions.ClientCertificateMode = RequireCertificate and the authorities to trust", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessCluster_WithTlsAndAToken_FromTheCommandLine()
    {
        var directory = Directory.CreateTempSubdirectory("pr-tls-").FullName;
        var processes = new List<ChildProcess>();
        try
        {
            using var authority = TestCertificates.CreateAuthority("PipelineRunner test CA");
            using var server = TestCertificates.CreateServer(authority);
            var pfx = Path.Combine(directory, "scheduler.pfx");
            await File.WriteAllBytesAsync(pfx, server.Export(X509ContentType.Pkcs12));
            var ca = TestCertificates.WritePem(authority, Path.Combine(directory, "ca.pem"));
            var tokenFile = Path.Combine(directory, "token");
            await File.WriteAllTextAsync(tokenFile, Token + "\n");

            var scheduler = ChildProcess.StartApp("PipelineRunner.Tool.dll", null, "scheduler", "--certificate", pfx, "--token-file", tokenFile);
            processes.Add(scheduler);
            var address = (await scheduler.WaitForLineAsync("scheduler listening on ", Timeout))["scheduler listening on ".Length..];
            Assert.StartsWith("https://127.0.0.1:", address, StringComparison.Ordinal);
            var environment = new Dictionary<string, string> { [PipelineRunner.Distributed.Protocol.SecurityFiles.AccessTokenVariable] = Token };
            for (var i = 1; i <= 2; i++)
            {
                var worker = ChildProcess.StartApp("PipelineRunner.Distributed.TestApp.dll", environment, "worker", "--scheduler", address, "--trust", ca, "--id", $"tls-{i}");
                processes.Add(worker);
                await worker.WaitForLineAsync("worker ", Timeout);
            }

            var options = new DistributedRunnerOptions { SchedulerAddress = new Uri(address) };
            options.Security.AccessToken = Token;
            options.Security.TrustedCertificates.Add(authority);
            await using var runner = new DistributedRunner(options);
            var catalog = new DataCatalog();
            catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 2L });
            var outputs = await runner.RunAsync(SharedPipelines.Blob(), catalog).WaitAsync(Timeout);
            Assert.Equal(ExpectedChecksum, outputs["checksum"]);

            // A worker without the token is turned away, says why and exits instead of retrying a refusal forever.
            var intruder = ChildProcess.StartApp("PipelineRunner.Distributed.TestApp.dll", null, "worker", "--scheduler", address, "--trust", ca, "--id", "intruder");
            processes.Add(intruder);
            Assert.Equal(1, await intruder.WaitForExitAsync(Timeout));
            Assert.Contains($"Worker 'intruder' cannot reach the scheduler at {new Uri(address)}: it refused this client: The scheduler requires an access token", intruder.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("retrying in", intruder.Output, StringComparison.Ordinal);

            // So is one that does not trust the scheduler's certificate.
            var stranger = TestCertificates.WritePem(TestCertificates.CreateAuthority("Another CA"), Path.Combine(directory, "other-ca.pem"));
            var untrusting = ChildProcess.StartApp("PipelineRunner.Distributed.TestApp.dll", environment, "worker", "--scheduler", address, "--trust", stranger, "--id", "untrusting");
            processes.Add(untrusting);
            Assert.Equal(1, await untrusting.WaitForExitAsync(Timeout));
            Assert.Contains($"Worker 'untrusting' cannot reach the scheduler at {new Uri(address)}: its certificate is not trusted", untrusting.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task PublishAsync(Protocol.Scheduler.SchedulerClient client, string name, byte[] value, Metadata headers)
    {
        using var call = client.Publish(headers);
        await WriteIgnoringRefusalAsync(async () =>
        {
            await call.RequestStream.WriteAsync(new PublishRequest { Name = name, TotalLength = value.Length, Data = ByteString.CopyFrom(value) });
            await call.RequestStream.CompleteAsync();
        });
        await call.ResponseAsync;
    }

    /// <summary>A refused call may end before the client finishes writing; its status is read from the response.</summary>
    private static async Task WriteIgnoringRefusalAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException)
        {
            // The server already answered; the response carries why.
        }
    }
}
