using System.Globalization;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Files;
using PipelineRunner.Pipelines;
using PipelineRunner.Pipelines.Internal;
using PipelineRunner.Runners;

namespace PipelineRunner.Reporting;

/// <summary>
/// Records the timings of one run for a <see cref="PerformanceReport"/>, like Dask's <c>performance_report</c>: give it
/// to a run in <see cref="RunOptions.Performance"/> and read <see cref="Report"/> once the run ended (also when it
/// failed or was cancelled). A recorder serves one run. Memory is a few arrays of one entry per node; without a recorder
/// a run measures nothing extra.
/// </summary>
/// <example>
/// <code>
/// var recorder = new PerformanceRecorder();
/// await runner.RunAsync(pipeline, catalog, new RunOptions { Performance = recorder });
/// await recorder.Report!.WriteHtmlAsync(stream);
/// </code>
/// </example>
public sealed class PerformanceRecorder
{
    private const long NotSet = long.MinValue;

    private readonly Lock _gate = new();
    private PipelineGraph? _graph;
    private IDataset[] _datasets = [];
    private TimeProvider _time = TimeProvider.System;
    private string _runner = string.Empty;
    private string _session = string.Empty;
    private DateTimeOffset _startedAt;
    private long _runStart;
    private long _runEnd = NotSet;
    private long _submitted = NotSet;
    private string? _runError;

    private long[] _start = [];
    private long[] _end = [];
    private long[] _wall = [];
    private long[] _load = [];
    private long[] _save = [];
    private long[] _loadBytes = [];
    private long[] _saveBytes = [];
    private int[] _attempts = [];
    private int[] _thread = [];
    private string?[] _location = [];
    private NodeOutcome[] _outcome = [];
    private string?[] _error = [];
    private PerformanceReport? _report;

    /// <summary>The report of the run, once it ended (completed, failed or cancelled); null before.</summary>
    public PerformanceReport? Report
    {
        get
        {
            lock (_gate)
            {
                return _report;
            }
        }
    }

    /// <summary>
    /// A report of what was recorded so far: during a run, nodes still running show as <see cref="NodeOutcome.Running"/>
    /// and the run's wall time is the time so far.
    /// </summary>
    /// <returns>The report.</returns>
    /// <exception cref="InvalidOperationException">No run has used this recorder.</exception>
    public PerformanceReport CreateReport()
    {
        lock (_gate)
        {
            return _report ?? Build(_runEnd == NotSet ? _time.GetTimestamp() : _runEnd);
        }
    }

    /// <summary>
    /// Records that the run's nodes were handed to where they execute, now (a distributed runner, once connected and its
    /// inputs published): nodes without dependencies count as ready from here rather than from the run's start, so
    /// their queue wait leaves out the runner's setup.
    /// </summary>
    /// <exception cref="InvalidOperationException">No run has used this recorder.</exception>
    public void RecordSubmitted()
    {
        _ = _graph ?? throw new InvalidOperationException("No run has used this PerformanceRecorder yet: pass it in RunOptions.Performance.");
        _submitted = _time.GetTimestamp();
    }

    /// <summary>Records that a node started elsewhere (a distributed runner's worker), now.</summary>
    /// <param name="node">A node of the recorded run's pipeline.</param>
    /// <param name="location">Where it runs (a worker id); null when unknown.</param>
    /// <exception cref="ArgumentException">The node is not in the run's pipeline.</exception>
    /// <exception cref="InvalidOperationException">No run has used this recorder.</exception>
    public void RecordStarted(Node node, string? location)
    {
        var i = IndexOf(node);
        _start[i] = _time.GetTimestamp();
        _location[i] = location;
        _outcome[i] = NodeOutcome.Running;
    }

    /// <summary>
    /// Records that a node ended elsewhere (a distributed runner's worker), now, with what the runner learned of it.
    /// A node without <see cref="RecordStarted"/>, or whose start was recorded less than
    /// <see cref="NodeMeasurements.WallTime"/> ago, is taken to have started that wall time ago.
    /// </summary>
    /// <param name="node">A node of the recorded run's pipeline.</param>
    /// <param name="measured">Where and how long it ran, its loads and saves.</param>
    /// <param name="error">Its error when it failed; null when it completed.</param>
    /// <exception cref="ArgumentException">The node is not in the run's pipeline.</exception>
    /// <exception cref="InvalidOperationException">No run has used this recorder.</exception>
    public void RecordEnded(Node node, NodeMeasurements measured, Exception? error = null)
    {
        ArgumentNullException.ThrowIfNull(measured);
        var i = IndexOf(node);
        var now = _time.GetTimestamp();
        var wall = ToTimestamp(measured.WallTime);
        _end[i] = now;
        _wall[i] = wall;
        if (_start[i] == NotSet || _start[i] > now - wall)
        {
            // No started event, or one that arrived after the node had started (it travels from the scheduler, the
            // completion from the worker): the node started its wall time before the end seen here.
            _start[i] = now - wall;
        }

        _location[i] = measured.Location ?? _location[i];
        _attempts[i] = measured.Attempts;
        _load[i] = ToTimestamp(measured.LoadTime);
        _save[i] = ToTimestamp(measured.SaveTime);
        _loadBytes[i] = measured.LoadBytes ?? -1;
        _saveBytes[i] = measured.SaveBytes ?? -1;
        SetEnd(i, error);
    }

    /// <summary>Binds the recorder to a run; called by the run's constructor.</summary>
    internal void Attach(PipelineGraph graph, IDataset[] datasets, TimeProvider time, string runner, string session)
    {
        lock (_gate)
        {
            if (_graph is not null)
            {
                throw new InvalidOperationException("This PerformanceRecorder has already recorded a run; use a new recorder for each run.");
            }

            var n = graph.Nodes.Length;
            _graph = graph;
            _datasets = datasets;
            _time = time;
            _runner = runner;
            _session = session;
            _startedAt = time.GetUtcNow();
            _runStart = time.GetTimestamp();
            _start = New(n, NotSet);
            _end = New(n, NotSet);
            _wall = new long[n];
            _load = new long[n];
            _save = new long[n];
            _loadBytes = New(n, -1L);
            _saveBytes = New(n, -1L);
            _attempts = new int[n];
            _thread = new int[n];
            _location = new string?[n];
            _outcome = new NodeOutcome[n];
            _error = new string?[n];
        }
    }

    /// <summary>A node starts here, on this thread. Each node's entries are written by one thread at a time.</summary>
    internal void NodeStarted(int index)
    {
        _start[index] = _time.GetTimestamp();
        _thread[index] = Environment.CurrentManagedThreadId;
        _attempts[index] = 1;
        _outcome[index] = NodeOutcome.Running;
    }

    internal void Retried(int index) => _attempts[index]++;

    internal long Now() => _time.GetTimestamp();

    /// <summary>A node's load phase ended: its time, and the bytes of its inputs where the datasets know them.</summary>
    internal void Loaded(int index, long since)
    {
        _load[index] += _time.GetTimestamp() - since;
        _loadBytes[index] = SumBytes(_graph!.InputNames[index], saved: false);
    }

    internal void Saved(int index, long since) => _save[index] += _time.GetTimestamp() - since;

    /// <summary>Wraps a node's execution here: its end, outcome and output bytes are recorded when it ends.</summary>
    internal async Task TrackAsync(int index, Task execution)
    {
        try
        {
            await execution.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            EndHere(index, ex);
            throw;
        }

        EndHere(index, null);
    }

    internal void Skipped(Node node) => _outcome[IndexOf(node)] = NodeOutcome.Skipped;

    /// <summary>The run ended; the report is made now.</summary>
    internal void RunEnded(Exception? error)
    {
        lock (_gate)
        {
            if (_graph is null || _report is not null)
            {
                return;
            }

            _runEnd = _time.GetTimestamp();
            _runError = error is null ? null : Describe(error);
            _report = Build(_runEnd);
        }
    }

    private void EndHere(int index, Exception? error)
    {
        var now = _time.GetTimestamp();
        _end[index] = now;
        _wall[index] = now - _start[index];
        if (error is null)
        {
            _saveBytes[index] = SumBytes(_graph!.OutputNames[index], saved: true);
        }

        SetEnd(index, error);
    }

    private void SetEnd(int index, Exception? error)
    {
        if (error is null)
        {
            _outcome[index] = NodeOutcome.Completed;
            return;
        }

        _outcome[index] = error is OperationCanceledException ? NodeOutcome.Cancelled : NodeOutcome.Failed;
        _error[index] = Describe(error is NodeExecutionException { InnerException: { } inner } ? inner : error);
    }

    private long SumBytes(int[] names, bool saved)
    {
        long sum = 0;
        var known = false;
        foreach (var name in names)
        {
            if (BytesOf(_datasets[name], saved) is { } bytes)
            {
                sum += bytes;
                known = true;
            }
        }

        return known ? sum : -1;
    }

    private static long? BytesOf(IDataset dataset, bool saved)
    {
        switch (dataset)
        {
            case IDatasetByteCount counted:
                return saved ? counted.LastSavedBytes : counted.LastLoadedBytes;
            case FileDataset { IsVersioned: false } file:
                var info = new FileInfo(file.FilePath);
                return info.Exists ? info.Length : null;
            default:
                return null;
        }
    }

    private PerformanceReport Build(long runEnd)
    {
        var graph = _graph ?? throw new InvalidOperationException("No run has used this PerformanceRecorder yet: pass it in RunOptions.Performance.");
        var n = graph.Nodes.Length;

        // A node is ready when the last node it depends on ended (a root: when the run started, or its nodes were submitted).
        var ready = New(n, _submitted == NotSet ? _runStart : _submitted);
        var pathTo = new long[n]; // the longest chain of wall times ending with each node
        var previous = New(n, -1L);
        for (var i = 0; i < n; i++)
        {
            pathTo[i] += _wall[i];
            for (var c = graph.ChildStarts[i]; c < graph.ChildStarts[i + 1]; c++)
            {
                var child = graph.Children[c];
                if (_end[i] != NotSet && _end[i] > ready[child])
                {
                    ready[child] = _end[i];
                }

                if (previous[child] < 0 || pathTo[i] > pathTo[child])
                {
                    pathTo[child] = pathTo[i];
                    previous[child] = i;
                }
            }
        }

        var last = -1;
        for (var i = 0; i < n; i++)
        {
            if (last < 0 || pathTo[i] > pathTo[last])
            {
                last = i;
            }
        }

        var onPath = new bool[n];
        var pathLength = 0;
        for (var i = last; i >= 0; i = (int)previous[i])
        {
            onPath[i] = true;
            pathLength++;
        }

        var nodes = new NodePerformance[n];
        long nodeTime = 0;
        long loaded = 0;
        long saved = 0;
        for (var i = 0; i < n; i++)
        {
            var started = _start[i] != NotSet;
            var outcome = _outcome[i];
            var wall = _wall[i];
            if (outcome == NodeOutcome.Running)
            {
                wall = runEnd - _start[i];
            }

            nodeTime += wall;
            loaded += Math.Max(0, _loadBytes[i]);
            saved += Math.Max(0, _saveBytes[i]);
            nodes[i] = new NodePerformance
            {
                Name = graph.Nodes[i].Name,
                Outcome = outcome,
                Location = _location[i] ?? (started && _thread[i] != 0 ? "thread " + _thread[i].ToString(CultureInfo.InvariantCulture) : null),
                Start = started ? Elapsed(_runStart, _start[i]) : TimeSpan.Zero,
                WallTime = Elapsed(0, wall),
                QueueWait = started && _start[i] > ready[i] ? Elapsed(ready[i], _start[i]) : TimeSpan.Zero,
                LoadTime = Elapsed(0, _load[i]),
                SaveTime = Elapsed(0, _save[i]),
                LoadBytes = _loadBytes[i] < 0 ? null : _loadBytes[i],
                SaveBytes = _saveBytes[i] < 0 ? null : _saveBytes[i],
                Attempts = started ? Math.Max(1, _attempts[i]) : 0,
                Error = _error[i],
                OnCriticalPath = onPath[i] && wall > 0,
            };
        }

        var path = new NodePerformance[pathLength];
        for (int i = last, k = pathLength - 1; i >= 0; i = (int)previous[i], k--)
        {
            path[k] = nodes[i];
        }

        return new PerformanceReport(
            _runner,
            _session,
            _startedAt,
            Elapsed(_runStart, runEnd),
            Elapsed(0, nodeTime),
            _runError,
            nodes,
            path,
            loaded,
            saved);
    }

    private int IndexOf(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var graph = _graph ?? throw new InvalidOperationException("No run has used this PerformanceRecorder yet: pass it in RunOptions.Performance.");
        return graph.Index.TryGetValue(node, out var index)
            ? index
            : throw new ArgumentException($"Node '{node.Name}' is not in the pipeline of the recorded run.", nameof(node));
    }

    private TimeSpan Elapsed(long from, long to) => to <= from ? TimeSpan.Zero : _time.GetElapsedTime(from, to);

    private long ToTimestamp(TimeSpan time) =>
        time <= TimeSpan.Zero ? 0 : (long)(time.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    private static string Describe(Exception error) => $"{error.GetType().Name}: {error.Message}";

    private static T[] New<T>(int length, T value)
    {
        var array = new T[length];
        Array.Fill(array, value);
        return array;
    }
}
