using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;
using Xunit.Abstractions;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// A bounded, seeded fuzz of every scheduler RPC (the worker protocol is the scheduler's Connect stream: workers dial
/// out and listen on nothing) and of the bulk endpoint: random bytes, and valid messages with mutated fields. After
/// it, the scheduler still serves a real run and the store holds exactly what it held before.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const string Service = "pipelinerunner.v1.Scheduler";
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);
    private static readonly string[] Seeds = ["seed_small", "seed_large"];
    private readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly Random _random = new(20261127);

    [Fact]
    public async Task RandomAndMutatedMessages_ToEveryRpc_LeaveTheSchedulerServingAndTheStoreUnchanged()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { DriverLeaseTimeout = TimeSpan.FromMilliseconds(200), WorkerTimeout = TimeSpan.FromSeconds(2) });
        using var channel = GrpcChannel.ForAddress(scheduler.Address);
        var client = new Protocol.Scheduler.SchedulerClient(channel);
        var invoker = channel.CreateCallInvoker();
        var seedValues = new Dictionary<string, byte[]> { ["seed_small"] = RandomBytes(100), ["seed_large"] = RandomBytes(300_000) };
        foreach (var (name, value) in seedValues)
        {
            using var call = client.Publish();
            await call.RequestStream.WriteAsync(new PublishRequest { Name = name, TotalLength = value.Length, Data = ByteString.CopyFrom(value) });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        }

        for (var i = 0; i < 150; i++)
        {
            await UnaryAsync(invoker, "Info", Garbage());
            await UnaryAsync(invoker, "List", Garbage());
            await UnaryAsync(invoker, "Exists", i % 2 == 0 ? Garbage() : Mutated(new DatasetNamesRequest { Names = { RandomName(), RandomName() } }));
            await UnaryAsync(invoker, "Release", i % 2 == 0 ? ReleaseGarbage() : new DatasetNamesRequest { Names = { InvalidName() } }.ToByteArray());
            await ServerStreamingAsync(invoker, "Get", i % 2 == 0 ? Garbage() : Mutated(new GetRequest { Name = RandomName() }));
            await ServerStreamingAsync(invoker, "SubmitRun", i % 2 == 0 ? Garbage() : Mutated(RandomRun()));
            await ClientStreamingAsync(invoker, "Publish", MalformedPublish());
            await DuplexAsync(invoker, "Connect", RandomWorkerMessages());
        }

        var bulkOutcomes = await FuzzBulkEndpointAsync(scheduler.BulkPort, 300);

        foreach (var (outcome, count) in _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{outcome}: {count}");
        }

        output.WriteLine($"bulk endpoint: {bulkOutcomes}");
        Assert.Equal(1200, _outcomes.Values.Sum());
        Assert.DoesNotContain(_outcomes.Keys, k => k.EndsWith(": Unavailable", StringComparison.Ordinal) || k.EndsWith(": Internal", StringComparison.Ordinal) || k.EndsWith(": Unknown", StringComparison.Ordinal));

        // The store: exactly the seeds, byte for byte, once abandoned fuzz runs' leases have expired.
        await Task.Delay(500);
        Assert.Equal(Seeds.Order(StringComparer.Ordinal), scheduler.StoreNames);
        foreach (var (name, value) in seedValues)
        {
            using var get = client.Get(new GetRequest { Name = name });
            var received = new List<byte>();
            await foreach (var chunk in get.ResponseStream.ReadAllAsync())
            {
                received.AddRange(chunk.Data);
            }

            Assert.Equal(value, received.ToArray());
        }

        // And it still serves a real run.
        using var stop = new CancellationTokenSource();
        var worker = new PipelineWorker(new WorkerOptions { SchedulerAddress = scheduler.Address, Reconnect = false }, new PipelineNodeResolver(SharedPipelines.All()));
        var serving = worker.RunAsync(stop.Token);
        await using (var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = scheduler.Address }))
        {
            var catalog = new DataCatalog();
            catalog.AddValues([new("chain_input", 1)]);
            var outputs = await runner.RunAsync(SharedPipelines.Chain(5), catalog).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(6, outputs["chain_5"]);
        }

        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task UnaryAsync(CallInvoker invoker, string rpc, byte[] request) =>
        await RecordAsync(rpc, async options => await invoker.AsyncUnaryCall(Method(MethodType.Unary, rpc), null, options, request));

    private async Task ServerStreamingAsync(CallInvoker invoker, string rpc, byte[] request) =>
        await RecordAsync(rpc, async options =>
        {
            using var call = invoker.AsyncServerStreamingCall(Method(MethodType.ServerStreaming, rpc), null, options, request);
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

    private async Task ClientStreamingAsync(CallInvoker invoker, string rpc, IReadOnlyList<byte[]> messages) =>
        await RecordAsync(rpc, async options =>
        {
            using var call = invoker.AsyncClientStreamingCall(Method(MethodType.ClientStreaming, rpc), null, options);
            foreach (var message in messages)
            {
                await call.RequestStream.WriteAsync(message);
            }

            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });

    private async Task DuplexAsync(CallInvoker invoker, string rpc, IReadOnlyList<byte[]> messages) =>
        await RecordAsync(rpc, async options =>
        {
            using var call = invoker.AsyncDuplexStreamingCall(Method(MethodType.DuplexStreaming, rpc), null, options);
            foreach (var message in messages)
            {
                await call.RequestStream.WriteAsync(message);
            }

            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

    /// <summary>Runs a call with a short deadline (a valid run or worker stream would otherwise wait) and records its status.</summary>
    private async Task RecordAsync(string rpc, Func<CallOptions, Task> call)
    {
        var status = StatusCode.OK;
        try
        {
            await call(new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(300)));
        }
        catch (RpcException ex)
        {
            status = ex.StatusCode;
        }

        var key = $"{rpc}: {status}";
        _outcomes[key] = _outcomes.GetValueOrDefault(key) + 1;
    }

    private static Method<byte[], byte[]> Method(MethodType type, string name) => new(type, Service, name, Bytes, Bytes);

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Garbage() => RandomBytes(_random.Next(0, 200));

    /// <summary>Release garbage that happens to decode to a seed's name is not garbage: regenerate it.</summary>
    private byte[] ReleaseGarbage() => GarbageThat(bytes => !DatasetNamesRequest.Parser.ParseFrom(bytes).Names.Intersect(Seeds).Any());

    /// <summary>Garbage that happens to decode to a complete, valid publish (say, an empty value) is not garbage: regenerate it.</summary>
    private byte[] PublishGarbage() =>
        GarbageThat(bytes => PublishRequest.Parser.ParseFrom(bytes) is var request && (request.Name.Length == 0 || request.TotalLength != request.Data.Length));

    /// <summary>Random bytes that either do not decode or decode to something <paramref name="harmless"/> accepts.</summary>
    private byte[] GarbageThat(Func<byte[], bool> harmless)
    {
        while (true)
        {
            var bytes = Garbage();
            try
            {
                if (harmless(bytes))
                {
                    return bytes;
                }
            }
            catch (InvalidProtocolBufferException)
            {
                return bytes;
            }
        }
    }

    /// <summary>A valid message's encoding with random bytes flipped, cut or appended.</summary>
    private byte[] Mutated(IMessage message)
    {
        var bytes = message.ToByteArray().ToList();
        switch (_random.Next(3))
        {
            case 0 when bytes.Count > 0:
                bytes[_random.Next(bytes.Count)] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when bytes.Count > 1:
                bytes.RemoveRange(_random.Next(bytes.Count), 1);
                break;
            default:
                bytes.AddRange(RandomBytes(_random.Next(1, 16)));
                break;
        }

        return [.. bytes];
    }

    private string RandomName() => "fuzz_" + _random.Next(1000);

    private string InvalidName() => _random.Next(6) switch
    {
        0 => string.Empty,
        1 => " leading space",
        2 => new string('x', 5000),
        3 => "two@transcoding@separators",
        4 => "trailing space ",
        _ => "control" + new string('\u0001', 3),
    };

    private SubmitRunRequest RandomRun()
    {
        var run = new SubmitRunRequest { RunId = _random.Next(3) == 0 ? string.Empty : "fuzz-run-" + _random.Next(100) };
        var count = _random.Next(0, 6);
        for (var n = 0; n < count; n++)
        {
            var node = new NodeSpec { Name = _random.Next(5) == 0 ? InvalidName() : $"n{_random.Next(4)}", Fingerprint = "x" };
            node.Dependencies.Add($"n{_random.Next(6)}");
            node.Datasets.Add(new DatasetSpec { Name = _random.Next(3) == 0 ? InvalidName() : RandomName(), DefinitionJson = _random.Next(3) == 0 ? "{not json" : string.Empty });
            node.StoreInputs.Add(RandomName());
            run.Nodes.Add(node);
        }

        return run;
    }

    /// <summary>Publish streams that are malformed by construction: bad names, lengths that do not add up, or chunks out of order.</summary>
    private List<byte[]> MalformedPublish()
    {
        var data = RandomBytes(_random.Next(1, 64));
        return _random.Next(5) switch
        {
            0 => [new PublishRequest { Name = InvalidName(), TotalLength = data.Length, Data = ByteString.CopyFrom(data) }.ToByteArray()],
            1 => [new PublishRequest { Name = RandomName(), TotalLength = data.Length + 1 + _random.Next(100), Data = ByteString.CopyFrom(data) }.ToByteArray()],
            2 => [new PublishRequest { Name = RandomName(), TotalLength = -_random.Next(1, 1000), Data = ByteString.CopyFrom(data) }.ToByteArray()],
            3 =>
            [
                new PublishRequest { Name = RandomName(), TotalLength = data.Length * 2 }.ToByteArray(),
                new PublishRequest { Name = RandomName(), TotalLength = data.Length, Data = ByteString.CopyFrom(data) }.ToByteArray(),
            ],
            _ => [PublishGarbage(), PublishGarbage()],
        };
    }

    private List<byte[]> RandomWorkerMessages()
    {
        var messages = new List<byte[]>();
        if (_random.Next(2) == 0)
        {
            messages.Add(new WorkerMessage { Register = new RegisterWorker { WorkerId = _random.Next(4) == 0 ? string.Empty : "fuzz-worker", Concurrency = _random.Next(-5, 2000) } }.ToByteArray());
        }

        for (var m = _random.Next(0, 4); m > 0; m--)
        {
            messages.Add(_random.Next(3) switch
            {
                0 => Garbage(),
                1 => new WorkerMessage
                {
                    // A forged completion that tries to write a seed: never stored, the node is not running here.
                    Completed = new NodeCompleted { RunId = "fuzz-run-1", Node = "n1", Outputs = { new InlineValue { Name = Seeds[_random.Next(2)], Data = ByteString.CopyFrom(RandomBytes(8)) } } },
                }.ToByteArray(),
                _ => Mutated(new WorkerMessage { Failed = new NodeFailed { RunId = "fuzz-run-1", Node = "n1", Message = "fuzz" } }),
            });
        }

        return messages;
    }

    /// <summary>Random and malformed requests on raw TCP connections; returns how each connection ended.</summary>
    private async Task<string> FuzzBulkEndpointAsync(int port, int connections)
    {
        var endings = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < connections; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            var request = _random.Next(3) switch
            {
                0 => Garbage(),
                1 => [.. PipelineRunner.Distributed.Protocol.BulkProtocol.RequestHeader(PipelineRunner.Distributed.Protocol.BulkProtocol.Publish, InvalidName() is { Length: > 0 } bad ? bad : " x", 4), .. RandomBytes(4)],
                _ => [.. PipelineRunner.Distributed.Protocol.BulkProtocol.RequestHeader(PipelineRunner.Distributed.Protocol.BulkProtocol.Publish, RandomName(), 1000), .. RandomBytes(_random.Next(0, 999))], // cut short
            };
            await stream.WriteAsync(request);
            client.Client.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var response = new byte[1];
            var read = await stream.ReadAsync(response, timeout.Token);
            var ending = read == 0 ? "closed" : $"status {response[0]}";
            endings[ending] = endings.GetValueOrDefault(ending) + 1;
        }

        return string.Join(", ", endings.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}"));
    }
}
