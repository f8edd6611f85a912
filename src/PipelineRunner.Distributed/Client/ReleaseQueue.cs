using System.Threading.Channels;

namespace PipelineRunner.Distributed.Client;

/// <summary>
/// The driver's releases, sent in batches by one background loop so that releasing a dataset never waits for a round
/// trip on the run's critical path. <see cref="FlushAsync"/> waits until every release queued so far reached the store.
/// </summary>
internal sealed class ReleaseQueue : IAsyncDisposable
{
    private readonly Channel<(string? Name, TaskCompletionSource? Flushed)> _queue =
        Channel.CreateUnbounded<(string?, TaskCompletionSource?)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _loop;

    private readonly TimeProvider _clock;

    public ReleaseQueue(StoreClient store, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _loop = Task.Run(() => RunAsync(store));
    }

    /// <summary>The last error a batch met, if any; releases are retried in the next batch.</summary>
    public Exception? LastError { get; private set; }

    public void Enqueue(string name) => _queue.Writer.TryWrite((name, null));

    /// <summary>How long a small batch waits for more releases: 10 ms.</summary>
    public static TimeSpan BatchDelay { get; } = TimeSpan.FromMilliseconds(10);

    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((null, flushed)) ? flushed.Task : Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync(StoreClient store)
    {
        var names = new List<string>();
        var waiting = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Drain(names, waiting);
            if (waiting.Count == 0 && names.Count < 64)
            {
                // Let releases that trickle in one per node gather into one call (the scheduler has better things to
                // do), for BatchDelay on the clock or until a flush asks for them, whichever comes first.
                using var batch = new CancellationTokenSource(BatchDelay, _clock);
                try
                {
                    while (waiting.Count == 0 && names.Count < 64 && await _queue.Reader.WaitToReadAsync(batch.Token).ConfigureAwait(false))
                    {
                        Drain(names, waiting);
                    }
                }
                catch (OperationCanceledException) when (batch.IsCancellationRequested)
                {
                    // The batch's time is up.
                }
            }

            if (names.Count > 0)
            {
                try
                {
                    await store.ReleaseAsync(names, CancellationToken.None).ConfigureAwait(false);
                    names.Clear();
                    LastError = null;
                }
                catch (Grpc.Core.RpcException ex)
                {
                    LastError = ex; // the scheduler is gone: the run fails on its own; drop the batch
                    names.Clear();
                }
            }

            foreach (var flushed in waiting)
            {
                flushed.TrySetResult();
            }

            waiting.Clear();
        }
    }

    private void Drain(List<string> names, List<TaskCompletionSource> waiting)
    {
        while (_queue.Reader.TryRead(out var item))
        {
            if (item.Name is not null)
            {
                names.Add(item.Name);
            }

            if (item.Flushed is not null)
            {
                waiting.Add(item.Flushed);
            }
        }
    }
}
