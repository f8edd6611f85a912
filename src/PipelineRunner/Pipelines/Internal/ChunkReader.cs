using System.Collections;

namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// Reads a generator node's chunks one at a time, checking for cancellation before each: the node's function runs up
/// to its next <c>yield</c> on every <see cref="MoveNextAsync"/>. Disposing it ends the function's iteration (its
/// <c>finally</c> blocks run).
/// </summary>
internal sealed class ChunkReader : IAsyncDisposable
{
    private readonly IEnumerator? _sync;
    private readonly IAsyncEnumerator<object?>? _async;
    private readonly CancellationToken _cancellationToken;

    internal ChunkReader(IEnumerator? sync, IAsyncEnumerator<object?>? async, CancellationToken cancellationToken)
    {
        _sync = sync;
        _async = async;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The chunk the last successful <see cref="MoveNextAsync"/> produced.</summary>
    public object? Current => _sync is not null ? _sync.Current : _async!.Current;

    /// <summary>Runs the function to its next chunk.</summary>
    /// <returns>False once the function has returned.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public ValueTask<bool> MoveNextAsync()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        return _sync is not null ? ValueTask.FromResult(_sync.MoveNext()) : _async!.MoveNextAsync();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_sync is IDisposable disposable)
        {
            disposable.Dispose();
            return default;
        }

        return _async?.DisposeAsync() ?? default;
    }
}
