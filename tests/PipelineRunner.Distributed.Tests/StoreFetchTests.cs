using System.Buffers;
using System.Net;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Client;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// Fetches over the bulk endpoint: large byte arrays are received straight into their own array, everything else
/// through a transfer buffer and MessagePack; both give back exactly what was published.
/// </summary>
public sealed class StoreFetchTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private SchedulerServer _scheduler = null!;
    private SchedulerChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _scheduler = await SchedulerServer.StartAsync();
        _channel = new SchedulerChannel(_scheduler.Address, ChannelTimeouts.Default);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _scheduler.DisposeAsync();
    }

    private StoreDataset Dataset(string name) => new(name, _ => ValueTask.FromResult(_channel.Store));

    /// <summary>Bytes that differ per seed and position, so a shifted or mixed-up copy shows.</summary>
    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) + (i >> 12) + seed);
        }

        return bytes;
    }

    [Theory]
    [InlineData(1024 * 1024 - 6)] // serialized, just under 1 MB: through a transfer buffer
    [InlineData(1024 * 1024)] // from 1 MB: received in place
    [InlineData((17 * 1024 * 1024) + 3)] // 16 MB and more: pages populated beside the receive; not page-aligned
    public async Task ByteArrays_RoundTripExactly(int length)
    {
        var value = Pattern(length, length % 251);
        var dataset = Dataset($"bytes_{length}");
        await dataset.SaveAsync(value).AsTask().WaitAsync(Timeout);

        // Twice: the second fetch may reuse the pooled connection the first one left.
        for (var round = 0; round < 2; round++)
        {
            var back = Assert.IsType<byte[]>(await dataset.LoadAsync(typeof(byte[])).AsTask().WaitAsync(Timeout));
            Assert.True(value.AsSpan().SequenceEqual(back), $"round {round}: the fetched bytes differ from the published ones");
        }

        await dataset.ReleaseAsync();
        Assert.Equal(0, _scheduler.StoreBytes);
    }

    [Fact]
    public async Task OtherLargeValues_StillGoThroughMessagePack()
    {
        var numbers = Enumerable.Range(0, 1_000_000).Select(i => i * 7).ToArray(); // several MB serialized
        var dataset = Dataset("numbers");
        await dataset.SaveAsync(numbers).AsTask().WaitAsync(Timeout);
        Assert.Equal(numbers, Assert.IsType<int[]>(await dataset.LoadAsync(typeof(int[])).AsTask().WaitAsync(Timeout)));
    }

    [Fact]
    public async Task ALargeValueOfAnotherType_ReadAsBytes_FailsNamingTheDataset_AndTheConnectionStaysUsable()
    {
        var numbers = Enumerable.Range(0, 1_000_000).ToArray();
        await Dataset("numbers").SaveAsync(numbers).AsTask().WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<DatasetException>(() => Dataset("numbers").LoadAsync(typeof(byte[])).AsTask().WaitAsync(Timeout));
        Assert.Equal("numbers", error.DatasetName);
        Assert.StartsWith("Dataset 'numbers': the stored value cannot be read as Byte[]", error.Message, StringComparison.Ordinal);

        // The failed read consumed the whole value, so its pooled connection serves the next fetches correctly.
        var bytes = Pattern(3 * 1024 * 1024, 5);
        await Dataset("bytes").SaveAsync(bytes).AsTask().WaitAsync(Timeout);
        var back = Assert.IsType<byte[]>(await Dataset("bytes").LoadAsync(typeof(byte[])).AsTask().WaitAsync(Timeout));
        Assert.True(bytes.AsSpan().SequenceEqual(back));
        Assert.Equal(numbers, Assert.IsType<int[]>(await Dataset("numbers").LoadAsync(typeof(int[])).AsTask().WaitAsync(Timeout)));
    }

    /// <summary>Fetches <paramref name="name"/> through the bulk client itself and says which way the value was read.</summary>
    private async Task<(byte[] Value, string Path)> FetchBytesAsync(string name)
    {
        using var bulk = new BulkStoreClient(new DnsEndPoint("127.0.0.1", _scheduler.BulkPort), TimeSpan.FromSeconds(10), useTls: false, new PipelineRunner.Distributed.Client.SchedulerClientSecurity(), TimeSpan.FromSeconds(15));
        return await bulk.GetAsync<(byte[], string)>(
            name,
            bytes => ((byte[])PipelineRunner.Distributed.Protocol.ValueSerializer.Deserialize(name, typeof(byte[]), bytes)!, "buffered"),
            value => (value, "in place"),
            CancellationToken.None).WaitAsync(Timeout);
    }

    [Fact]
    public async Task LargeByteArrays_AreReceivedInPlace_SmallOnesAndOtherEncodingsAreBuffered()
    {
        var large = Pattern(2 * 1024 * 1024, 3);
        var small = Pattern(512 * 1024, 4);
        await Dataset("large").SaveAsync(large).AsTask().WaitAsync(Timeout);
        await Dataset("small").SaveAsync(small).AsTask().WaitAsync(Timeout);

        // A 2 MB string is MessagePack str 32, not bin 32, yet MessagePack reads it as bytes: the buffered path must
        // still see the whole value, including the header the in-place path had already read.
        var text = new string('x', 2 * 1024 * 1024);
        await Dataset("text").SaveAsync(text).AsTask().WaitAsync(Timeout);

        var (largeBack, largePath) = await FetchBytesAsync("large");
        Assert.Equal("in place", largePath);
        Assert.True(large.AsSpan().SequenceEqual(largeBack));

        var (smallBack, smallPath) = await FetchBytesAsync("small");
        Assert.Equal("buffered", smallPath);
        Assert.True(small.AsSpan().SequenceEqual(smallBack));

        var (textBack, textPath) = await FetchBytesAsync("text");
        Assert.Equal("buffered", textPath);
        Assert.True(System.Text.Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(textBack));
    }

    [Fact]
    public void PopulatingPages_KeepsTheArraysContents()
    {
        var array = GC.AllocateUninitializedArray<byte>((33 * 1024 * 1024) + 5, pinned: true);
        Pattern(array.Length, 9).CopyTo(array, 0);
        var populated = MemoryPopulator.Populate(array);

        // MADV_POPULATE_WRITE exists from Linux 5.14; elsewhere the populator must decline rather than fail.
        Assert.Equal(OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(5, 14), populated);
        Assert.True(Pattern(array.Length, 9).AsSpan().SequenceEqual(array));
        Assert.False(MemoryPopulator.WillPopulate(MemoryPopulator.MinimumLength - 1));
        Assert.Equal(populated, MemoryPopulator.WillPopulate(MemoryPopulator.MinimumLength));
    }
}
