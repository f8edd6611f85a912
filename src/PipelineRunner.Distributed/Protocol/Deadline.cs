namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// A caller's cancellation plus a timeout on a <see cref="TimeProvider"/> (a linked token source's <c>CancelAfter</c>
/// would always use the system's clock): tests drive every timeout of the package with a fake clock.
/// </summary>
internal readonly struct Deadline : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource _linked;

    public Deadline(TimeSpan after, TimeProvider time, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(time, TimeProvider.System))
        {
            // The system clock: one linked source whose CancelAfter is the timer (the common case, on every bulk read).
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _linked.CancelAfter(after);
            return;
        }

        _timer = new CancellationTokenSource(after, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
    }

    /// <summary>Cancelled when the caller cancels or the time is up.</summary>
    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        _linked.Dispose();
        _timer?.Dispose();
    }
}
