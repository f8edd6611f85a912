using System.Diagnostics;
using System.Threading.Channels;
using PipelineRunner.Pipelines;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Runners.Internal;

/// <summary>
/// Runs a pipeline's nodes as soon as their dependencies complete, at most N at a time. Ready nodes start in
/// topological order, so with N = 1 the order is exactly <see cref="Pipeline.Nodes"/>.
/// </summary>
internal sealed class DependencyScheduler
{
    private const byte Done = 1;
    private const byte Failed = 2;

    private readonly PipelineRun _run;
    private readonly int _maxDegreeOfParallelism;
    private readonly PipelineGraph _graph;
    private readonly IReadOnlyList<Node> _nodes;
    private readonly int[] _pending;
    private readonly byte[] _state;
    private readonly PriorityQueue<int, int> _ready = new();

    public DependencyScheduler(PipelineRun run, int maxDegreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        _run = run;
        _maxDegreeOfParallelism = maxDegreeOfParallelism;
        _graph = run.Pipeline.Graph;
        _nodes = _graph.Nodes;
        _pending = (int[])_graph.ParentCounts.Clone();
        _state = new byte[_nodes.Count];
        for (var i = 0; i < _pending.Length; i++)
        {
            if (_pending[i] == 0)
            {
                _ready.Enqueue(i, i);
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_maxDegreeOfParallelism == 1)
        {
            await RunInlineAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await RunConcurrentlyAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_run.Failures.Count == 0)
        {
            return;
        }

        var skipped = new List<Node>();
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (_state[i] == 0)
            {
                skipped.Add(_nodes[i]);
                if (_run.Options.FailurePolicy == NodeFailurePolicy.ContinueIndependentNodes)
                {
                    _run.RecordSkipped(_nodes[i]);
                }
            }
        }

        _run.ThrowFailures(_run.Options.FailurePolicy == NodeFailurePolicy.ContinueIndependentNodes ? skipped : []);
    }

    private async Task RunInlineAsync(CancellationToken cancellationToken)
    {
        while (_ready.TryDequeue(out var i, out _))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await RunInlineAsync(i, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Runs one node on the current thread; returns false when the run must stop.</summary>
    private async ValueTask<bool> RunInlineAsync(int i, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _run.RunNodeAsync(i, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExecutionException failure)
        {
            _state[i] = Failed;
            _run.RecordFailure(failure, Stopwatch.GetElapsedTime(started));
            return _run.Options.FailurePolicy != NodeFailurePolicy.StopOnFirstFailure;
        }

        await CompleteAsync(i, Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task RunConcurrentlyAsync(CancellationToken cancellationToken)
    {
        var completions = Channel.CreateUnbounded<(int Index, Exception? Error, TimeSpan Duration)>(
            new UnboundedChannelOptions { SingleReader = true });
        using var threads = new NodeThreads(_maxDegreeOfParallelism);
        var running = 0;
        var stop = false;
        Exception? unexpected = null;
        while (true)
        {
            if (!stop && running == 0 && _ready.Count == 1)
            {
                // Only one node can run (a chain): run it here instead of hopping to the thread pool.
                cancellationToken.ThrowIfCancellationRequested();
                stop = !await RunInlineAsync(_ready.Dequeue(), cancellationToken).ConfigureAwait(false);
                continue;
            }

            while (!stop && running < _maxDegreeOfParallelism && !cancellationToken.IsCancellationRequested
                && _ready.TryDequeue(out var next, out _))
            {
                running++;
                StartNode(threads, next, completions.Writer, cancellationToken);
            }

            if (running == 0)
            {
                break;
            }

            var (index, error, duration) = TryReadSoon(completions.Reader, out var completed)
                ? completed
                : await completions.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            running--;
            switch (error)
            {
                case null:
                    try
                    {
                        await CompleteAsync(index, duration, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        unexpected ??= ex;
                        stop = true;
                    }

                    break;
                case NodeExecutionException failure:
                    _state[index] = Failed;
                    _run.RecordFailure(failure, duration);
                    stop |= _run.Options.FailurePolicy == NodeFailurePolicy.StopOnFirstFailure;
                    break;
                case OperationCanceledException when cancellationToken.IsCancellationRequested:
                    stop = true;
                    break;
                default:
                    unexpected ??= error;
                    stop = true;
                    break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (unexpected is not null)
        {
            throw unexpected;
        }
    }

    /// <summary>
    /// Reads a completion if one arrives within a short spin: short nodes finish within microseconds, and catching
    /// their completion here saves parking this loop and waking it again.
    /// </summary>
    private static bool TryReadSoon(ChannelReader<(int, Exception?, TimeSpan)> reader, out (int, Exception?, TimeSpan) completion)
    {
        var spinner = default(SpinWait);
        for (var i = 0; i < 20; i++)
        {
            if (reader.TryRead(out completion))
            {
                return true;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return reader.TryRead(out completion);
    }

    /// <summary>Runs a node on one of the run's node threads, which it holds until the node ends (see <see cref="NodeThreads"/>).</summary>
    private void StartNode(NodeThreads threads, int index, ChannelWriter<(int, Exception?, TimeSpan)> completions, CancellationToken cancellationToken)
    {
        threads.Post(() =>
        {
            var started = Stopwatch.GetTimestamp();
            Exception? error = null;
            try
            {
                _run.RunNodeAsync(index, cancellationToken).GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                error = ex;
            }

            completions.TryWrite((index, error, Stopwatch.GetElapsedTime(started)));
        });
    }

    private async ValueTask CompleteAsync(int index, TimeSpan duration, CancellationToken cancellationToken)
    {
        _state[index] = Done;
        await _run.CompleteNodeAsync(index, duration, cancellationToken).ConfigureAwait(false);
        for (var c = _graph.ChildStarts[index]; c < _graph.ChildStarts[index + 1]; c++)
        {
            var child = _graph.Children[c];
            if (--_pending[child] == 0)
            {
                _ready.Enqueue(child, child);
            }
        }
    }
}
