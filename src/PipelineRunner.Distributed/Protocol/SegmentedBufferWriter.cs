using System.Buffers;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over pooled 1 MB segments: serializing a large value never copies it into one
/// growing array, and each segment becomes one store chunk without another copy.
/// </summary>
internal sealed class SegmentedBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int SegmentSize = 1024 * 1024;
    private readonly List<(byte[] Buffer, int Length, bool Pooled)> _segments = [];
    private byte[]? _current;
    private bool _currentPooled;
    private int _written;

    public long Length => _segments.Sum(s => (long)s.Length) + _written;

    /// <summary>Whether everything written sits in one segment.</summary>
    public bool IsSingleSegment => _segments.Count + (_written > 0 ? 1 : 0) <= 1;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _current.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _current.AsSpan(_written);
    }

    /// <summary>The written bytes as a sequence over the segments; valid until disposed.</summary>
    public ReadOnlySequence<byte> AsSequence()
    {
        Flush();
        if (_segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (_segments.Count == 1)
        {
            return new ReadOnlySequence<byte>(_segments[0].Buffer, 0, _segments[0].Length);
        }


        Segment? head = null;
        Segment? tail = null;
        foreach (var (buffer, length, _) in _segments)
        {
            var segment = new Segment(buffer.AsMemory(0, length), tail?.RunningIndex + tail?.Memory.Length ?? 0);
            if (tail is null)
            {
                head = segment;
            }
            else
            {
                tail.SetNext(segment);
            }

            tail = segment;
        }

        return new ReadOnlySequence<byte>(head!, 0, tail!, tail!.Memory.Length);
    }

    public void Dispose()
    {
        Flush();
        foreach (var (buffer, _, pooled) in _segments)
        {
            Release(buffer, pooled);
        }

        _segments.Clear();
    }

    private void Ensure(int sizeHint)
    {
        if (_current is not null && _current.Length - _written >= Math.Max(sizeHint, 1))
        {
            return;
        }

        Flush();
        // Large requests (a big byte array or string written in one piece) get one buffer of their size from the
        // recycling pool, so repeated large transfers reuse memory instead of faulting in fresh pages each time, and
        // nothing is retained after its short window (ArrayPool.Shared would round up and keep it).
        _currentPooled = sizeHint <= SegmentSize;
        _current = _currentPooled ? ArrayPool<byte>.Shared.Rent(SegmentSize) : PipelineRunner.Distributed.Protocol.RecyclingBufferPool.Shared.Rent(sizeHint);
        _written = 0;
    }

    private void Flush()
    {
        if (_current is not null)
        {
            if (_written > 0)
            {
                _segments.Add((_current, _written, _currentPooled));
            }
            else
            {
                Release(_current, _currentPooled);
            }

            _current = null;
            _written = 0;
        }
    }

    private static void Release(byte[] buffer, bool pooled)
    {
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            PipelineRunner.Distributed.Protocol.RecyclingBufferPool.Shared.Return(buffer);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
