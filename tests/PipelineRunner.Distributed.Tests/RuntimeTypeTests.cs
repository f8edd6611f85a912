using System.Buffers;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// Nodes typed <see cref="object"/> on workers: a value of an allowlisted type comes back as the producer's runtime
/// type, as on the in-process runners, through a type tag that is a code from a fixed list, never a type name.
/// </summary>
public sealed class RuntimeTypeTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private DistributedRunner _runner = null!;

    /// <summary>A user type, not on the allowlist.</summary>
    public sealed record Point(int X, int Y);

    public Task InitializeAsync()
    {
        _runner = new DistributedRunner(new DistributedRunnerOptions { LocalWorkers = 1 });
        return _runner.StartAsync();
    }

    public async Task DisposeAsync() => await _runner.DisposeAsync();

    public static TheoryData<string, object> AllowlistedValues() => new()
    {
        { "bool", true },
        { "sbyte", (sbyte)-3 },
        { "byte", (byte)7 },
        { "short", (short)-300 },
        { "ushort", (ushort)60_000 },
        { "int", 5 },
        { "uint", 7u },
        { "long", 5L },
        { "ulong", ulong.MaxValue },
        { "float", 1.5f },
        { "double", 2.25d },
        { "decimal", 1.10m },
        { "char", 'c' },
        { "string", "text" },
        { "DateTime", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc) },
        { "DateTimeOffset", new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)) },
        { "TimeSpan", TimeSpan.FromMinutes(90) },
        { "Guid", new Guid("0f8fad5b-d9cb-469f-a165-70867728950e") },
        { "byte[]", new byte[] { 1, 2, 3 } },
        { "int[]", new[] { 1, 2, 3 } },
        { "string[]", new[] { "a", "b" } },
        { "List<int>", new List<int> { 1, 2, 3 } },
        { "List<long>", new List<long> { 1, 2, long.MaxValue } },
        { "Dictionary<string, int>", new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 } },
        { "HashSet<string>", new HashSet<string>(StringComparer.Ordinal) { "a", "b" } },
        { "List<int[]>", new List<int[]> { new[] { 1 }, new[] { 2, 3 } } },
        { "Dictionary<string, List<double>>", new Dictionary<string, List<double>> { ["a"] = [1.5, 2.5] } },
        { "List<DateTime>", new List<DateTime> { new(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc) } },
        { "byte[][]", new[] { new byte[] { 1 }, new byte[] { 2, 3 } } },
        { "HashSet<Guid>", new HashSet<Guid> { new("0f8fad5b-d9cb-469f-a165-70867728950e") } },
    };

    private static Pipeline ObjectPipeline(object value)
    {
        Func<object> produce = () => value;
        Func<object, object> pass = received => received;
        return new Pipeline([
            Node.Create(produce, null, "x", name: "produce"),
            Node.Create(pass, "x", "consumed", name: "consume"),
            Node.Create(produce, null, "free", name: "produce_free"),
        ]);
    }

    [Theory]
    [MemberData(nameof(AllowlistedValues))]
    public async Task ObjectTypedNodes_GetTheProducersRuntimeTypeBack_AsOnTheSequentialRunner(string shape, object value)
    {
        var expected = await new SequentialRunner().RunAsync(ObjectPipeline(value), new DataCatalog());
        var actual = await _runner.RunAsync(ObjectPipeline(value), new DataCatalog()).WaitAsync(Timeout);

        foreach (var output in new[] { "consumed", "free" })
        {
            Assert.True(expected[output]!.GetType() == actual[output]?.GetType(), $"{shape} ({output}): {actual[output]?.GetType()}");
            Assert.Equal(expected[output], actual[output]);
        }
    }

    [Fact]
    public async Task ObjectElements_KeepTheContainer_AndComeBackInMessagePacksUntypedForm()
    {
        var value = new Dictionary<string, object> { ["n"] = 5, ["s"] = "text", ["list"] = new List<int> { 1, 2 } };

        var actual = await _runner.RunAsync(ObjectPipeline(value), new DataCatalog()).WaitAsync(Timeout);

        var consumed = Assert.IsType<Dictionary<string, object>>(actual["consumed"]);
        Assert.Equal(5, consumed["n"]); // a primitive boxed as object is written at full size, so it keeps its type
        Assert.Equal("text", consumed["s"]);
        Assert.Equal(new object[] { (byte)1, (byte)2 }, Assert.IsType<object[]>(consumed["list"])); // a nested container does not
    }

    [Fact]
    public async Task ANonAllowlistedType_ConsumedAsObject_ComesBackAsMessagePacksUntypedMap()
    {
        var actual = await _runner.RunAsync(ObjectPipeline(new Point(1, 300)), new DataCatalog()).WaitAsync(Timeout);

        foreach (var output in new[] { "consumed", "free" })
        {
            var map = Assert.IsType<Dictionary<object, object>>(actual[output]);
            Assert.Equal((byte)1, map["X"]);
            Assert.Equal((ushort)300, map["Y"]);
        }
    }

    [Fact]
    public async Task ANonAllowlistedType_ConsumedAsItsDeclaredType_ComesBackAsItself()
    {
        Func<Point> produce = () => new Point(1, 2);
        Func<Point, Point> pass = p => p with { Y = p.Y + 1 };
        var pipeline = new Pipeline([Node.Create(produce, null, "x", name: "produce"), Node.Create(pass, "x", "y", name: "consume")]);

        var actual = await _runner.RunAsync(pipeline, new DataCatalog()).WaitAsync(Timeout);

        Assert.Equal(new Point(1, 3), actual["y"]);
    }

    [Fact]
    public async Task ADeclaredType_WinsOverTheTag()
    {
        Func<object> produce = () => 5; // tagged int
        Func<long, long> twice = n => n * 2;
        var pipeline = new Pipeline([Node.Create(produce, null, "x", name: "produce"), Node.Create(twice, "x", "y", name: "consume")]);

        var actual = await _runner.RunAsync(pipeline, new DataCatalog()).WaitAsync(Timeout);

        Assert.Equal(10L, actual["y"]);
    }

    [Fact]
    public void TagsAreTwoBytesForAPrimitive_AndAbsentForBytesNullAndUserTypes()
    {
        Assert.Equal(new byte[] { 0xC1, 6 }, ValueTypeTag.For(typeof(int)));
        Assert.Equal(new byte[] { 0xC1, 0x41, 0x40, 6 }, ValueTypeTag.For(typeof(List<int[]>)));
        Assert.Empty(ValueTypeTag.For(typeof(byte[])));
        Assert.Empty(ValueTypeTag.For(typeof(Point)));
        Assert.Empty(ValueTypeTag.For(typeof(object)));
        Assert.Empty(ValueTypeTag.For(typeof(List<Point>)));
        Assert.Empty(ValueTypeTag.For(typeof(Dictionary<int, int>)));
        Assert.Empty(ValueTypeTag.For(typeof(int[,])));
        Assert.Empty(ValueTypeTag.For(typeof(List<List<List<List<List<int>>>>>))); // deeper than the limit

        using var writer = new SegmentedBufferWriter();
        ValueSerializer.Serialize("x", null, writer);
        Assert.Equal(new byte[] { 0xC0 }, writer.AsSequence().ToArray()); // nil, as before
    }

    [Fact]
    public void ASetsCustomComparer_DoesNotTravel_AsDocumented()
    {
        using var writer = new SegmentedBufferWriter();
        ValueSerializer.Serialize("x", new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "a" }, writer);

        var set = Assert.IsType<HashSet<string>>(ValueSerializer.Deserialize("x", typeof(object), writer.AsSequence()));

        Assert.Contains("a", set);
        Assert.DoesNotContain("A", set); // ordinal equality, whatever comparer the producer used
    }

    [Fact]
    public void AnEnum_ConsumedAsObject_ComesBackAsItsUnderlyingValue_InTheSmallestIntegerType()
    {
        using var writer = new SegmentedBufferWriter();
        ValueSerializer.Serialize("x", DayOfWeek.Tuesday, writer);

        Assert.Equal((byte)2, ValueSerializer.Deserialize("x", typeof(object), writer.AsSequence()));
        Assert.Equal(DayOfWeek.Tuesday, ValueSerializer.Deserialize("x", typeof(DayOfWeek), writer.AsSequence()));
    }

    [Fact]
    public void ATagSplitAcrossChunks_AfterAnEmptyOne_IsRead()
    {
        using var writer = new SegmentedBufferWriter();
        ValueSerializer.Serialize("x", new List<int[]> { new[] { 1, 2 } }, writer);
        var bytes = writer.AsSequence().ToArray();
        var first = new Segment(ReadOnlyMemory<byte>.Empty);
        var last = first.Append(bytes.AsMemory(0, 2)).Append(bytes.AsMemory(2));

        var value = ValueSerializer.Deserialize("x", typeof(object), new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        Assert.Equal(new List<int[]> { new[] { 1, 2 } }, Assert.IsType<List<int[]>>(value));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    public static TheoryData<string, byte[]> ForgedTags() => new()
    {
        { "unknown code 0x7F", new byte[] { 0xC1, 0x7F, 0x05 } },
        { "unknown code 0x00", new byte[] { 0xC1, 0x00, 0x05 } },
        { "object as a whole value", new byte[] { 0xC1, 19, 0x05 } },
        { "cut short", new byte[] { 0xC1 } },
        { "container without an element", new byte[] { 0xC1, 0x41 } },
        { "nested too deep", new byte[] { 0xC1, 0x41, 0x41, 0x41, 0x41, 0x41, 6, 0x90 } },
    };

    [Theory]
    [MemberData(nameof(ForgedTags))]
    public void AForgedTag_IsRefused_NamingTheDataset(string forgery, byte[] payload)
    {
        foreach (var type in new[] { typeof(object), typeof(int) })
        {
            var error = Assert.Throws<DatasetException>(() => ValueSerializer.Deserialize("model_input", type, new ReadOnlySequence<byte>(payload)));
            Assert.StartsWith("Dataset 'model_input': the stored value is refused: its type tag", error.Message);
            Assert.Equal(forgery == "cut short" || forgery == "container without an element", error.Message.Contains("cut short", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AForgedTag_InTheStoreOrCarriedInline_IsRefusedOnLoad_NamingTheDataset()
    {
        byte[] forged = [0xC1, 0x7F, 0x05];
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions());
        using var channel = new SchedulerChannel(scheduler.Address, ChannelTimeouts.Create("test", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        await channel.Store.PublishAsync("x", new ReadOnlySequence<byte>(forged), CancellationToken.None);
        var inline = new InlineValues();
        inline.Inputs["carried"] = forged;

        var fromStore = await Assert.ThrowsAsync<DatasetException>(() => channel.Store.LoadAsync("x", typeof(object), CancellationToken.None));
        var fromInline = await Assert.ThrowsAsync<DatasetException>(
            async () => await new StoreDataset("carried", _ => ValueTask.FromResult(channel.Store), inline: inline).LoadAsync(typeof(object)));

        Assert.Equal("Dataset 'x': the stored value is refused: its type tag has an unknown code 0x7F; it was not written by this version of PipelineRunner or was altered.", fromStore.Message);
        Assert.StartsWith("Dataset 'carried': the stored value is refused: its type tag has an unknown code 0x7F", fromInline.Message);
    }
}
