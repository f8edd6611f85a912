namespace PipelineRunner.Runners.Internal;

/// <summary>
/// The threads one concurrent run executes its nodes on, like the executor of Kedro's <c>ThreadRunner</c>: up to
/// <c>maxThreads</c> dedicated threads, started as work arrives, each running one node at a time to its end. A node that
/// blocks (I/O, <see cref="Thread.Sleep(int)"/>, a synchronous client) holds its own thread instead of a thread-pool
/// thread, so N blocking nodes really run N at once without waiting for the pool to grow. Disposing ends the threads
/// once their work is done.
/// </summary>
/// <remarks>
/// Every posted item is matched at once with a thread: a waiting thread is woken for it (and no longer counted as
/// waiting), or a new thread is started, or — all threads busy and the maximum reached — it waits for the first thread
/// to finish, which always looks at the queue before waiting. So no item ever sits queued while a thread could run it.
/// </remarks>
internal sealed class NodeThreads(int maxThreads) : IDisposable
{
    private const int SpinIterations = 30;
    private readonly Queue<Action> _queue = new();
    private readonly object _gate = new(); // Monitor.Wait and Pulse need a monitor, not a System.Threading.Lock
    private int _started;
    private int _waiting; // threads blocked in Wait that no Post has claimed yet
    private int _queued; // mirrors _queue.Count for lock-free spinning
    private bool _disposed;

    /// <summary>Queues <paramref name="work"/> and makes sure a thread will run it.</summary>
    public void Post(Action work)
    {
        var start = false;
        lock (_gate)
        {
            _queue.Enqueue(work);
            Volatile.Write(ref _queued, _queue.Count);
            if (_waiting > 0)
            {
                _waiting--;
                Monitor.Pulse(_gate);
            }
            else if (_started < maxThreads)
            {
                _started++;
                start = true;
            }
        }

        if (start)
        {
            new Thread(Loop) { IsBackground = true, Name = "PipelineRunner node" }.Start();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void Loop()
    {
        while (Take() is { } work)
        {
            work(); // the work item reports its own outcome and never throws
        }
    }

    /// <summary>The next item, or null once disposed. Spins briefly first: the next node usually follows within microseconds.</summary>
    private Action? Take()
    {
        var spinner = default(SpinWait);
        for (var i = 0; i < SpinIterations && Volatile.Read(ref _queued) == 0; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        lock (_gate)
        {
            while (_queue.Count == 0)
            {
                if (_disposed)
                {
                    return null;
                }

                _waiting++;
                Monitor.Wait(_gate);
            }

            var work = _queue.Dequeue();
            Volatile.Write(ref _queued, _queue.Count);
            return work;
        }
    }
}
