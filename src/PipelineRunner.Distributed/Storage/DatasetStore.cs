using System.Collections.Concurrent;

namespace PipelineRunner.Distributed.Storage;

/// <summary>
/// The scheduler's named dataset values, replaced whole on publish (publishing is idempotent and a reader never sees a
/// half-written value) and dropped on release. Readers hold a lease on the value they read, so a release during a
/// fetch never frees or reuses bytes still being sent (dask#9217). Released buffers go to a
/// <see cref="RecyclingBufferPool"/> for a short window, to be reused by publishes of a similar size, then are
/// dropped, so memory returns to its baseline.
/// </summary>
internal sealed class DatasetStore : IDisposable
{
    private readonly ConcurrentDictionary<string, StoredValue> _values = new(StringComparer.Ordinal);
    private readonly RecyclingBufferPool _recycled = new(TimeSpan.FromSeconds(2));
    private long _totalBytes;

    /// <summary>Bytes held by all values.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>Bytes of released values waiting (at most 2 s) to be reused.</summary>
    public long RecycledBytes => _recycled.Bytes;

    /// <summary>The dataset names, sorted.</summary>
    public IReadOnlyList<string> Names => _values.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>A buffer of at least <paramref name="length"/> bytes: a recycled one of a similar size, or a new one.</summary>
    public byte[] Rent(int length) => _recycled.Rent(length);

    /// <summary>Stores (or replaces) a value of <paramref name="length"/> bytes held in <paramref name="buffer"/>.</summary>
    public void Put(string name, byte[] buffer, int length)
    {
        var value = new StoredValue(this, buffer, length);
        StoredValue? previous = null;
        _values.AddOrUpdate(name, value, (_, old) =>
        {
            previous = old;
            return value;
        });
        Interlocked.Add(ref _totalBytes, length - (previous?.Length ?? 0));
        previous?.MarkReleased();
    }

    /// <summary>Takes a read lease on a value; dispose it when done with the bytes.</summary>
    public bool TryAcquire(string name, out StoredValue.Lease lease)
    {
        while (_values.TryGetValue(name, out var value))
        {
            if (value.TryAcquire())
            {
                lease = new StoredValue.Lease(value);
                return true;
            }
        }

        lease = default;
        return false;
    }

    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>Drops a value; returns whether there was one.</summary>
    public bool Release(string name)
    {
        if (!_values.TryRemove(name, out var value))
        {
            return false;
        }

        Interlocked.Add(ref _totalBytes, -value.Length);
        value.MarkReleased();
        return true;
    }

    public void Dispose() => _recycled.Dispose();

    private void Recycle(byte[] buffer) => _recycled.Return(buffer);

    /// <summary>A stored value with a reader count: its buffer is recycled only once released and unread.</summary>
    internal sealed class StoredValue(DatasetStore store, byte[] buffer, int length)
    {
        private int _readers = 1; // the store's own reference; dropped on release

        public int Length { get; } = length;

        public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, Length);

        public bool TryAcquire()
        {
            var readers = Volatile.Read(ref _readers);
            while (readers > 0)
            {
                var seen = Interlocked.CompareExchange(ref _readers, readers + 1, readers);
                if (seen == readers)
                {
                    return true;
                }

                readers = seen;
            }

            return false;
        }

        public void MarkReleased() => Exit();

        public void Exit()
        {
            if (Interlocked.Decrement(ref _readers) == 0)
            {
                store.Recycle(buffer);
            }
        }

        /// <summary>A read lease; the bytes stay valid until it is disposed.</summary>
        public readonly struct Lease(StoredValue value) : IDisposable
        {
            public ReadOnlyMemory<byte> Memory => value.Memory;

            public void Dispose() => value?.Exit();
        }
    }
}
