using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Internal;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.Storage;

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
        _channel = new SchedulerChannel(_scheduler.Address, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
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

        // Twice: the second fetch reuses the pooled connection the first one left healthy.
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

        // The failed read consumed the whole value, so the same pooled connection serves the next fetch correctly.
        var bytes = Pattern(3 * 1024 * 1024, 5);
        await Dataset("bytes").SaveAsync(bytes).AsTask().WaitAsync(Timeout);
        var back = Assert.IsType<byte[]>(await Dataset("bytes").LoadAsync(typeof(byte[])).AsTask().WaitAsync(Timeout));
        Assert.True(bytes.AsSpan().SequenceEqual(back));
        Assert.Equal(numbers, Assert.IsType<int[]>(await Dataset("numbers").LoadAsync(typeof(int[])).AsTask().WaitAsync(Timeout)));
    }
}
