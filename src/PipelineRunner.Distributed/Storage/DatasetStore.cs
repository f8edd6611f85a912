using System.Collections.Concurrent;

namespace PipelineRunner.Distributed.Storage;

/// <summary>
/// The scheduler's named dataset values: immutable byte arrays, replaced whole on publish (publishing is idempotent
/// and a reader never sees a half-written value) and dropped on release. A reader that already holds a value keeps
/// it until it finishes, so a fetch never races a release (dask#9217).
/// </summary>
internal sealed class DatasetStore
{
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private long _totalBytes;

    /// <summary>Bytes held by all values.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>The dataset names, sorted.</summary>
    public IReadOnlyList<string> Names => _values.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Stores (or replaces) a value.</summary>
    public void Put(string name, byte[] value)
    {
        byte[]? previous = null;
        _values.AddOrUpdate(name, value, (_, old) =>
        {
            previous = old;
            return value;
        });
        Interlocked.Add(ref _totalBytes, value.Length - (previous?.Length ?? 0));
    }

    public bool TryGet(string name, out byte[] value) => _values.TryGetValue(name, out value!);

    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>Drops a value; returns whether there was one.</summary>
    public bool Release(string name)
    {
        if (!_values.TryRemove(name, out var value))
        {
            return false;
        }

        Interlocked.Add(ref _totalBytes, -value.Length);
        return true;
    }
}
