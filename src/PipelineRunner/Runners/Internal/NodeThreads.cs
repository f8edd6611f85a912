using System.Collections.Concurrent;

namespace PipelineRunner.Runners.Internal;

/// <summary>
/// The threads one concurrent run executes its nodes on, like the executor of Kedro's <c>ThreadRunner</c>: up to
/// <c>maxThreads</c> dedicated threads, started as work arrives, each running one node at a time to its end. A node that
/// blocks (I/O, <see cref="Thread.Sleep(int)"/>, a synchronous client) holds its own thread instead of a thread-pool
/// thread, so N blocking nodes really run N at once without waiting for the pool to grow. Disposing ends the threads
/// once their work is done.
/// </summary>
internal sealed class NodeThreads(int maxThreads) : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private int _started;
    private int _idle;

    /// <summary>Queues <paramref name="work"/>; starts a thread when none is idle and fewer than the maximum run.</summary>
    public void Post(Action work)
    {
        _work.Add(work);
        if (Volatile.Read(ref _idle) == 0 && _started < maxThreads)
        {
            _started++;
            Interlocked.Increment(ref _idle);
            new Thread(Loop) { IsBackground = true, Name = "PipelineRunner node" }.Start();
        }
    }

    public void Dispose() => _work.CompleteAdding();

    private void Loop()
    {
        while (TryTake(out var work))
        {
            Interlocked.Decrement(ref _idle);
            work();
            Interlocked.Increment(ref _idle);
        }
    }

    /// <summary>Takes the next work item, spinning briefly first: the next node usually follows within microseconds.</summary>
    private bool TryTake(out Action work)
    {
        var spinner = default(SpinWait);
        for (var i = 0; i < SpinIterations; i++)
        {
            if (_work.TryTake(out work!))
            {
                return true;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return _work.TryTake(out work!, Timeout.Infinite);
    }

    private const int SpinIterations = 30;
}
