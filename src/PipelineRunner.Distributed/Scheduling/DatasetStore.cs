using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Distributed.Scheduling;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The scheduler's named dataset values, replaced whole on publish (publishing is idempotent and a reader never sees a
/// half-written value) and dropped on release. Readers hold a lease on the value they read, so a release during a
/// fetch never frees or reuses bytes still being sent (dask#9217). Released buffers go to a
/// <see cref="RecyclingBufferPool"/> for a short window, to be reused by publishes of a similar size, then are
/// dropped, so memory returns to its baseline.
/// </summary>
/// <remarks>
/// <para>
/// The store has a memory limit (<see cref="SchedulerOptions.MaxStoreMemoryBytes"/>). When a publish or a read brings
/// the values in memory over it, the least recently used values that nothing is reading are written to spill files
/// (to a temporary name, then renamed, so a half-written file is never read) and their buffers freed; a read of a
/// spilled value loads it back. A loaded value keeps its file as a clean copy, so spilling it again costs no write.
/// Spill files are deleted when their value is released or replaced, and all of them on <see cref="Dispose"/>.
/// </para>
/// <para>
/// Bookkeeping (the values, their reader counts, residency and the LRU order) is under one lock; file writes and
/// reads are outside it. A value is pinned while a lease, a load or a copy uses its bytes: a pinned value is neither
/// spilled nor freed, and a value released while pinned is cleaned up by whoever unpins it last.
/// </para>
/// </remarks>
internal sealed partial class DatasetStore : IDisposable
{
    private readonly Dictionary<string, StoredValue> _values = new(StringComparer.Ordinal);
    private readonly LinkedList<StoredValue> _resident = new(); // least recently used first
    private readonly RecyclingBufferPool _recycled;
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly string _filePrefix = $"{Guid.NewGuid():N}"[..12] + "-";
    private long _totalBytes;
    private long _memoryBytes;
    private long _spilledBytes;
    private long _spillingBytes;
    private long _spillCount;
    private long _loadCount;
    private long _nextId;
    private int _spillsInFlight;
    private bool _directoryReady;
    private bool _createdDirectory;
    private bool _disposed;

    /// <summary>Creates a store.</summary>
    /// <param name="maxMemoryBytes">The memory limit; <see cref="SchedulerOptions.MaxStoreMemoryBytes"/>'s default when null.</param>
    /// <param name="spillDirectory">Where values spill; a fresh folder under the temporary folder when null.</param>
    /// <param name="logger">Where spills are logged; nowhere when null.</param>
    /// <param name="clock">The clock of the recycled buffers' window; the system's when null.</param>
    public DatasetStore(long? maxMemoryBytes = null, string? spillDirectory = null, ILogger? logger = null, TimeProvider? clock = null)
    {
        _recycled = new RecyclingBufferPool(TimeSpan.FromSeconds(2), clock);
        MaxMemoryBytes = maxMemoryBytes ?? new SchedulerOptions().MaxStoreMemoryBytes;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxMemoryBytes, nameof(maxMemoryBytes));
        SpillDirectory = Path.GetFullPath(spillDirectory ?? Path.Combine(
            Path.GetTempPath(),
            string.Create(CultureInfo.InvariantCulture, $"pipelinerunner-spill-{Environment.ProcessId}-{Guid.NewGuid():N}")));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How many bytes of values the store keeps in memory before spilling.</summary>
    public long MaxMemoryBytes { get; }

    /// <summary>The folder values spill to; created on the first spill.</summary>
    public string SpillDirectory { get; }

    /// <summary>Bytes held by all values, in memory or spilled.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_gate)
            {
                return _totalBytes;
            }
        }
    }

    /// <summary>Bytes of the values held in memory (<see cref="TotalBytes"/> = this + <see cref="SpilledBytes"/>).</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_gate)
            {
                return _memoryBytes;
            }
        }
    }

    /// <summary>Bytes of the values held only on disk.</summary>
    public long SpilledBytes
    {
        get
        {
            lock (_gate)
            {
                return _spilledBytes;
            }
        }
    }

    /// <summary>How many times a value was written to a spill file since the store was created.</summary>
    public long SpillCount => Interlocked.Read(ref _spillCount);

    /// <summary>How many times a spilled value was loaded back into memory since the store was created.</summary>
    public long LoadCount => Interlocked.Read(ref _loadCount);

    /// <summary>Bytes of released values waiting (at most 2 s) to be reused.</summary>
    public long RecycledBytes => _recycled.Bytes;

    /// <summary>The dataset names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate)
            {
                return _values.Keys.Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes: a recycled one of a similar size, or a new one.</summary>
    public byte[] Rent(int length) => _recycled.Rent(length);

    /// <summary>
    /// Stores (or replaces) a value of <paramref name="length"/> bytes held in <paramref name="buffer"/>, then spills
    /// least recently used values if memory is over the limit (the caller waits for those writes).
    /// </summary>
    public void Put(string name, byte[] buffer, int length)
    {
        var value = new StoredValue(this, name, Interlocked.Increment(ref _nextId), buffer, length);
        Leftovers previous;
        lock (_gate)
        {
            previous = _values.Remove(name, out var old) ? RetireLocked(old) : default;
            _values[name] = value;
            _totalBytes += length;
            _memoryBytes += length;
            value.Node = _resident.AddLast(value);
        }

        previous.Free(this);
        SpillIfNeeded();
    }

    /// <summary>
    /// Takes a read lease on a value, loading it from its spill file if it was spilled; dispose the lease when done
    /// with the bytes.
    /// </summary>
    /// <exception cref="IOException">The value's spill file could not be read.</exception>
    public bool TryAcquire(string name, out StoredValue.Lease lease)
    {
        StoredValue? value;
        byte[]? buffer;
        lock (_gate)
        {
            if (!_values.TryGetValue(name, out value))
            {
                lease = default;
                return false;
            }

            value.Pins++;
            buffer = value.Buffer;
            if (buffer is not null)
            {
                TouchLocked(value);
            }
        }

        if (buffer is null)
        {
            try
            {
                buffer = LoadBack(value);
            }
            catch
            {
                Exit(value, spill: false);
                throw;
            }

            SpillIfNeeded();
        }

        lease = new StoredValue.Lease(value, buffer);
        return true;
    }

    /// <summary>
    /// Copies a value of at most <paramref name="maxLength"/> bytes without loading it into memory if it was spilled,
    /// and without spilling others: for callers holding their own locks.
    /// </summary>
    /// <param name="name">The dataset.</param>
    /// <param name="maxLength">The largest value to copy.</param>
    /// <param name="copy">The bytes; null when the value is larger than <paramref name="maxLength"/>.</param>
    /// <returns>Whether the store has the value.</returns>
    /// <exception cref="IOException">The value's spill file could not be read.</exception>
    public bool TryCopy(string name, int maxLength, out byte[]? copy)
    {
        StoredValue? value;
        string path;
        lock (_gate)
        {
            if (!_values.TryGetValue(name, out value))
            {
                copy = null;
                return false;
            }

            if (value.Length > maxLength)
            {
                copy = null;
                return true;
            }

            if (value.Buffer is { } buffer)
            {
                copy = buffer.AsSpan(0, value.Length).ToArray();
                return true;
            }

            // Spilled: pinned, its file stays until unpinned.
            value.Pins++;
            path = value.SpillPath!;
        }

        try
        {
            copy = new byte[value.Length];
            ReadSpillFile(path, copy, value.Length);
            return true;
        }
        finally
        {
            Exit(value, spill: false);
        }
    }

    /// <summary>The <paramref name="count"/> largest values, largest first: name, bytes, and whether in memory (else spilled).</summary>
    public IReadOnlyList<(string Name, int Bytes, bool InMemory)> Largest(int count)
    {
        lock (_gate)
        {
            return _values.Values.OrderByDescending(v => v.Length).ThenBy(v => v.Name, StringComparer.Ordinal).Take(count)
                .Select(v => (v.Name, v.Length, v.Buffer is not null)).ToList();
        }
    }

    /// <summary>A value's size and whether it is in memory (else spilled); false when the store does not hold it.</summary>
    public bool TryDescribe(string name, out int bytes, out bool inMemory)
    {
        lock (_gate)
        {
            if (_values.TryGetValue(name, out var value))
            {
                (bytes, inMemory) = (value.Length, value.Buffer is not null);
                return true;
            }

            (bytes, inMemory) = (0, false);
            return false;
        }
    }

    /// <summary>How many values the store holds.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _values.Count;
            }
        }
    }

    /// <summary>Whether the store has the value in memory (false when spilled, or absent).</summary>
    public bool IsInMemory(string name)
    {
        lock (_gate)
        {
            return _values.TryGetValue(name, out var value) && value.Buffer is not null;
        }
    }

    public bool Contains(string name)
    {
        lock (_gate)
        {
            return _values.ContainsKey(name);
        }
    }

    /// <summary>Drops a value (and deletes its spill file once no one reads it); returns whether there was one.</summary>
    public bool Release(string name)
    {
        Leftovers leftovers;
        lock (_gate)
        {
            if (!_values.Remove(name, out var value))
            {
                return false;
            }

            leftovers = RetireLocked(value);
        }

        leftovers.Free(this);
        return true;
    }

    /// <summary>
    /// Drops every value and deletes the spill files, and the spill folder if the store created it. Values still
    /// being read stay valid until their leases end; spills still being written delete their files when done.
    /// </summary>
    public void Dispose()
    {
        var leftovers = new List<Leftovers>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var value in _values.Values)
            {
                leftovers.Add(RetireLocked(value));
            }

            _values.Clear();
        }

        foreach (var item in leftovers)
        {
            item.Free(this);
        }

        DeleteSpillFiles();
        RemoveDirectoryIfIdle();
        _recycled.Dispose();
    }

    /// <summary>Marks a value gone from the store; what it held is freed now, or by whoever unpins it last.</summary>
    private Leftovers RetireLocked(StoredValue value)
    {
        value.Released = true;
        _totalBytes -= value.Length;
        if (value.Node is not null)
        {
            _resident.Remove(value.Node);
            value.Node = null;
            _memoryBytes -= value.Length;
        }
        else
        {
            _spilledBytes -= value.Length; // on disk only (or being loaded, which will not count it again)
        }

        if (value.Spilling)
        {
            // Its bytes left memory just now, not when the write ends: the write then leaves the counts alone.
            _spillingBytes -= value.Length;
        }

        return value.Pins == 0 && !value.Spilling ? TakeLeftoversLocked(value) : default;
    }

    private static Leftovers TakeLeftoversLocked(StoredValue value)
    {
        var leftovers = new Leftovers(value.Buffer, value.SpillPath);
        value.Buffer = null;
        value.SpillPath = null;
        return leftovers;
    }

    private void TouchLocked(StoredValue value)
    {
        if (value.Node is not null)
        {
            _resident.Remove(value.Node);
            _resident.AddLast(value.Node);
        }
    }

    /// <summary>
    /// Ends a lease, load or copy; frees a released value once unpinned, and spills if memory is over (on the thread
    /// pool when <paramref name="spill"/> is false: the caller may hold its own locks).
    /// </summary>
    private void Exit(StoredValue value, bool spill)
    {
        Leftovers leftovers = default;
        bool over;
        lock (_gate)
        {
            value.Pins--;
            if (value.Pins == 0 && value.Released && !value.Spilling)
            {
                leftovers = TakeLeftoversLocked(value);
            }

            over = !_disposed && _memoryBytes - _spillingBytes > MaxMemoryBytes;
        }

        leftovers.Free(this);
        if (over)
        {
            // Values an earlier spill skipped because they were pinned (this one, say) can go now.
            if (spill)
            {
                SpillIfNeeded();
            }
            else
            {
                ThreadPool.QueueUserWorkItem(static store => store.SpillIfNeeded(), this, preferLocal: false);
            }
        }
    }

    /// <summary>Loads a pinned, spilled value back; concurrent readers of it wait for one load.</summary>
    private byte[] LoadBack(StoredValue value)
    {
        lock (value.LoadGate)
        {
            string path;
            lock (_gate)
            {
                if (value.Buffer is { } loaded)
                {
                    TouchLocked(value);
                    return loaded;
                }

                path = value.SpillPath!; // a pinned value without a buffer has its file
            }

            var buffer = _recycled.Rent(value.Length);
            try
            {
                ReadSpillFile(path, buffer, value.Length);
            }
            catch
            {
                _recycled.Return(buffer);
                throw;
            }

            lock (_gate)
            {
                value.Buffer = buffer;
                if (!value.Released)
                {
                    value.Node = _resident.AddLast(value);
                    _memoryBytes += value.Length;
                    _spilledBytes -= value.Length;
                }
            }

            Interlocked.Increment(ref _loadCount);
            Log.Loaded(_logger, value.Name, value.Length);
            return buffer;
        }
    }

    /// <summary>Spills least recently used, unpinned values until memory is within the limit.</summary>
    private void SpillIfNeeded()
    {
        List<(StoredValue Value, byte[] Buffer)>? toWrite = null;
        List<byte[]>? freed = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var node = _resident.First;
            while (node is not null && _memoryBytes - _spillingBytes > MaxMemoryBytes)
            {
                var value = node.Value;
                node = node.Next;
                if (value.Pins > 0 || value.Spilling || value.Length == 0)
                {
                    continue;
                }

                if (value.SpillPath is not null)
                {
                    // Loaded earlier and unchanged since (values are immutable): its file is a clean copy.
                    (freed ??= []).Add(DropBufferLocked(value));
                }
                else
                {
                    value.Spilling = true;
                    _spillingBytes += value.Length;
                    _spillsInFlight++;
                    (toWrite ??= []).Add((value, value.Buffer!));
                }
            }
        }

        foreach (var buffer in freed ?? [])
        {
            _recycled.Return(buffer);
        }

        foreach (var (value, buffer) in toWrite ?? [])
        {
            Spill(value, buffer);
        }
    }

    private byte[] DropBufferLocked(StoredValue value)
    {
        var buffer = value.Buffer!;
        value.Buffer = null;
        _resident.Remove(value.Node!);
        value.Node = null;
        _memoryBytes -= value.Length;
        _spilledBytes += value.Length;
        return buffer;
    }

    /// <summary>Writes a value marked as spilling to its file, then frees its buffer unless it was pinned meanwhile.</summary>
    private void Spill(StoredValue value, byte[] buffer)
    {
        string? path = null;
        try
        {
            path = WriteSpillFile(value, buffer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            Log.SpillFailed(_logger, value.Name, value.Length, SpillDirectory, ex);
        }

        Leftovers leftovers = default;
        byte[]? freed = null;
        bool disposed;
        long memory;
        lock (_gate)
        {
            value.Spilling = false;
            _spillsInFlight--;
            if (!value.Released)
            {
                _spillingBytes -= value.Length; // else taken off when it was released
            }

            if (path is not null)
            {
                value.SpillPath = path;
            }

            if (value.Released)
            {
                if (value.Pins == 0)
                {
                    leftovers = TakeLeftoversLocked(value);
                }
            }
            else if (path is not null && value.Pins == 0)
            {
                freed = DropBufferLocked(value);
            }

            // Else read during the write: it stays in memory, with its file as a clean copy for the next spill.
            disposed = _disposed;
            memory = _memoryBytes;
        }

        if (freed is not null)
        {
            _recycled.Return(freed);
            Log.Spilled(_logger, value.Name, value.Length, path!, memory, MaxMemoryBytes);
        }

        leftovers.Free(this);
        if (disposed)
        {
            DeleteSpillFiles();
            RemoveDirectoryIfIdle();
        }
    }

    /// <summary>Writes to a temporary name, then renames, so a half-written spill is never read.</summary>
    /// <returns>The spill file's path; null once the store is disposed.</returns>
    private string? WriteSpillFile(StoredValue value, byte[] buffer)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            if (!_directoryReady)
            {
                _createdDirectory = !Directory.Exists(SpillDirectory);
                Directory.CreateDirectory(SpillDirectory);
                _directoryReady = true;
                Log.SpillDirectoryCreated(_logger, SpillDirectory, MaxMemoryBytes);
            }
        }

        var path = Path.Combine(SpillDirectory, string.Create(CultureInfo.InvariantCulture, $"{_filePrefix}{value.Id}.spill"));
        var temporary = path + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                file.Write(buffer, 0, value.Length);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        Interlocked.Increment(ref _spillCount);
        return path;
    }

    private static void ReadSpillFile(string path, byte[] buffer, int length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0);
        if (file.Length != length)
        {
            throw new IOException($"The spill file '{path}' has {file.Length} bytes; its value has {length}.");
        }

        file.ReadExactly(buffer, 0, length);
    }

    /// <summary>Deletes this store's spill files (and half-written ones) left in the spill folder.</summary>
    private void DeleteSpillFiles()
    {
        try
        {
            if (Directory.Exists(SpillDirectory))
            {
                foreach (var file in Directory.EnumerateFiles(SpillDirectory, _filePrefix + "*"))
                {
                    TryDelete(file);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CleanupFailed(_logger, SpillDirectory, ex);
        }
    }

    /// <summary>After disposal, removes the spill folder if the store created it, it is empty and no spill is being written.</summary>
    private void RemoveDirectoryIfIdle()
    {
        lock (_gate)
        {
            if (!_createdDirectory || _spillsInFlight > 0)
            {
                return;
            }
        }

        try
        {
            if (Directory.Exists(SpillDirectory) && !Directory.EnumerateFileSystemEntries(SpillDirectory).Any())
            {
                Directory.Delete(SpillDirectory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CleanupFailed(_logger, SpillDirectory, ex);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CleanupFailed(_logger, path, ex);
        }
    }

    /// <summary>What a retired value held: its buffer (recycled) and its spill file (deleted).</summary>
    private readonly record struct Leftovers(byte[]? Buffer, string? SpillPath)
    {
        public void Free(DatasetStore store)
        {
            if (Buffer is not null && !Volatile.Read(ref store._disposed))
            {
                store._recycled.Return(Buffer); // after disposal, left to the GC
            }

            if (SpillPath is not null)
            {
                store.TryDelete(SpillPath);
            }
        }
    }

    /// <summary>
    /// A stored value: its bytes in memory (<see cref="Buffer"/>), on disk (<see cref="SpillPath"/>) or both, and how
    /// many users pin it. Every mutable field is guarded by the store's lock.
    /// </summary>
    internal sealed class StoredValue(DatasetStore store, string name, long id, byte[] buffer, int length)
    {
        public DatasetStore Store { get; } = store;

        public string Name { get; } = name;

        /// <summary>Unique in the store: names the spill file.</summary>
        public long Id { get; } = id;

        public int Length { get; } = length;

        /// <summary>Serializes loads of this value.</summary>
        public Lock LoadGate { get; } = new();

        /// <summary>The bytes when in memory.</summary>
        public byte[]? Buffer { get; set; } = buffer;

        /// <summary>The complete spill file, when written.</summary>
        public string? SpillPath { get; set; }

        /// <summary>Leases, loads and copies using the bytes; a pinned value is neither spilled nor freed.</summary>
        public int Pins { get; set; }

        /// <summary>Being written to a spill file; its buffer stays until the write is done.</summary>
        public bool Spilling { get; set; }

        /// <summary>Gone from the store (released, replaced or disposed); freed once unpinned.</summary>
        public bool Released { get; set; }

        /// <summary>The position in the LRU list while in memory and in the store.</summary>
        public LinkedListNode<StoredValue>? Node { get; set; }

        /// <summary>A read lease; the bytes stay valid until it is disposed.</summary>
        public readonly struct Lease(StoredValue value, byte[] buffer) : IDisposable
        {
            public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, value.Length);

            public void Dispose() => value?.Store.Exit(value, spill: true);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "The dataset store spills to {Directory} (memory limit {Limit} bytes)")]
        public static partial void SpillDirectoryCreated(ILogger logger, string directory, long limit);

        [LoggerMessage(EventId = 502, Level = LogLevel.Debug, Message = "Spilled dataset '{Name}' ({Bytes} bytes) to {Path}; {MemoryBytes} bytes in memory (limit {Limit})")]
        public static partial void Spilled(ILogger logger, string name, int bytes, string path, long memoryBytes, long limit);

        [LoggerMessage(EventId = 503, Level = LogLevel.Debug, Message = "Loaded spilled dataset '{Name}' ({Bytes} bytes) back into memory")]
        public static partial void Loaded(ILogger logger, string name, int bytes);

        [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Could not spill dataset '{Name}' ({Bytes} bytes) to {Directory}; it stays in memory")]
        public static partial void SpillFailed(ILogger logger, string name, int bytes, string directory, Exception exception);

        [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "Could not delete spill data at {Path}")]
        public static partial void CleanupFailed(ILogger logger, string path, Exception exception);
    }
}
