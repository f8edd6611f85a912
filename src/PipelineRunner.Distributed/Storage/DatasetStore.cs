using System.Collections.Concurrent;

namespace PipelineRunner.Distributed.Storage;

/// <summary>
/// The scheduler's named dataset values, replaced whole on publish (publishing is idempotent and a reader never sees a
/// half-written value) and dropped on release. Readers hold a lease on the value they read, so a release during a
/// fetch never frees or reuses bytes still being sent (dask#9217). Released buffers are kept for a short window
/// (<see cref="RecycleWindow"/>) to be reused by the next publishes of a similar size — on machines where fresh memory
/// is slow to fault in this doubles publish throughput — then dropped, so memory returns to its baseline.
/// </summary>
internal sealed class DatasetStore : IDisposable
{
    private readonly ConcurrentDictionary<string, StoredValue> _values = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(byte[] Buffer, long ReleasedAt)> _recycled = new();
    private readonly Timer _trim;
    private long _totalBytes;
    private long _recycledBytes;

    public DatasetStore()
    {
        _trim = new Timer(_ => Trim(Environment.TickCount64), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>How long a released buffer waits for reuse before it is dropped. 2 s.</summary>
    public static TimeSpan RecycleWindow { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes held by all values.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>Bytes held in released buffers awaiting reuse.</summary>
    public long RecycledBytes => Interlocked.Read(ref _recycledBytes);

    /// <summary>The dataset names, sorted.</summary>
    public IReadOnlyList<string> Names => _values.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>A buffer of at least <paramref name="length"/> bytes: a recycled one of a similar size, or a new one.</summary>
    public byte[] Rent(int length)
    {
        if (length >= 64 * 1024)
        {
            var count = _recycled.Count;
            for (var i = 0; i < count && _recycled.TryDequeue(out var candidate); i++)
            {
                if (candidate.Buffer.Length >= length && candidate.Buffer.Length <= length + (length / 4))
                {
                    Interlocked.Add(ref _recycledBytes, -candidate.Buffer.Length);
                    return candidate.Buffer;
                }

                _recycled.Enqueue(candidate);
            }
        }

        return GC.AllocateUninitializedArray<byte>(length);
    }

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

    public void Dispose() => _trim.Dispose();

    private void Recycle(byte[] buffer)
    {
        if (buffer.Length < 64 * 1024)
        {
            return;
        }

        Interlocked.Add(ref _recycledBytes, buffer.Length);
        _recycled.Enqueue((buffer, Environment.TickCount64));
    }

    private void Trim(long now)
    {
        var count = _recycled.Count;
        for (var i = 0; i < count && _recycled.TryDequeue(out var candidate); i++)
        {
            if (now - candidate.ReleasedAt < RecycleWindow.TotalMilliseconds)
            {
                _recycled.Enqueue(candidate);
            }
            else
            {
                Interlocked.Add(ref _recycledBytes, -candidate.Buffer.Length);
            }
        }
    }

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
