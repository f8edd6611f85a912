using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Client;

/// <summary>
/// A bulk connection whose every read and write must make progress within a limit: a scheduler that stops answering
/// mid-transfer (frozen, or its network cut without a reset) fails the transfer with an <see cref="IOException"/>
/// after the same bound as the RPCs' keep-alive pings, instead of leaving it waiting for ever.
/// </summary>
internal sealed class SilenceLimitedStream(Stream inner, TimeSpan limit, string peer, TimeProvider time) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var silence = new Deadline(limit, time, cancellationToken);
        try
        {
            return await inner.ReadAsync(buffer, silence.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Silent();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var silence = new Deadline(limit, time, cancellationToken);
        try
        {
            await inner.WriteAsync(buffer, silence.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Silent();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    private IOException Silent() =>
        new($"The scheduler's bulk endpoint at {peer} stopped answering: nothing sent or received for {limit.TotalSeconds:0.#} s.");
}
