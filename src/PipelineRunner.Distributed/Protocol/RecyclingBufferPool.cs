namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// Large byte buffers kept for a short window after use so the next transfer of a similar size reuses them, then
/// dropped so memory returns to its baseline. On machines where fresh memory is slow to fault in (this project's
/// VMs: 0.3–1.4 GB/s fresh against 8.5 GB/s reused), reuse is what keeps large transfers near socket speed; unlike
/// <see cref="System.Buffers.ArrayPool{T}.Shared"/>, nothing is retained after the window.
/// </summary>
internal sealed class RecyclingBufferPool : IDisposable
{
    /// <summary>Buffers smaller than this are not recycled: 64 KB.</summary>
    public const int MinimumSize = 64 * 1024;

    // A plain list under a lock: ConcurrentQueue.Count can freeze segments and keep dequeued buffers reachable.
    private readonly List<(byte[] Buffer, long ReturnedAt)> _buffers = [];
    private readonly Lock _gate = new();
    private readonly ITimer _trim;
    private readonly TimeProvider _clock;
    private long _bytes;

    /// <summary>A pool that keeps buffers for <paramref name="window"/>, checked every second (or each window, if shorter) on <paramref name="clock"/>.</summary>
    public RecyclingBufferPool(TimeSpan window, TimeProvider? clock = null)
    {
        Window = window;
        _clock = clock ?? TimeProvider.System;
        var period = window > TimeSpan.Zero && window < TimeSpan.FromSeconds(1) ? window : TimeSpan.FromSeconds(1);
        _trim = _clock.CreateTimer(_ => Trim(_clock.GetTimestamp()), null, period, period);
    }

    /// <summary>The pool the clients of this process share (2 s window).</summary>
    public static RecyclingBufferPool Shared { get; } = new(TimeSpan.FromSeconds(2));

    public TimeSpan Window { get; }

    /// <summary>Bytes waiting for reuse.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes (at most a quarter larger when recycled).</summary>
    public byte[] Rent(int length)
    {
        if (length >= MinimumSize)
        {
            lock (_gate)
            {
                for (var i = 0; i < _buffers.Count; i++)
                {
                    var candidate = _buffers[i].Buffer;
                    if (candidate.Length >= length && candidate.Length <= length + (length / 4))
                    {
                        _buffers.RemoveAt(i);
                        _bytes -= candidate.Length;
                        return candidate;
                    }
                }
            }
        }

        return GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>Offers a buffer for reuse; small ones are left to the GC.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length >= MinimumSize)
        {
            lock (_gate)
            {
                _buffers.Add((buffer, _clock.GetTimestamp()));
                _bytes += buffer.Length;
            }
        }
    }

    /// <summary>Drops every buffer now.</summary>
    public void Clear() => Trim(long.MaxValue);

    public void Dispose()
    {
        _trim.Dispose();
        Clear();
    }

    private void Trim(long now)
    {
        lock (_gate)
        {
            for (var i = _buffers.Count - 1; i >= 0; i--)
            {
                if (now == long.MaxValue || _clock.GetElapsedTime(_buffers[i].ReturnedAt, now) >= Window)
                {
                    _bytes -= _buffers[i].Buffer.Length;
                    _buffers.RemoveAt(i);
                }
            }
        }
    }
}
