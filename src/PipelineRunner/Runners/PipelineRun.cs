using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Diagnostics;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Pipelines.Internal;
using PipelineRunner.Reporting;
using PipelineRunner.Runners.Internal;

namespace PipelineRunner.Runners;

/// <summary>
/// One run of a pipeline, shared by every runner: it runs a node (load, hooks, call, save, confirm), keeps load counts
/// and releases datasets when no remaining node needs them, logs and reports progress, and records failures. Runners
/// decide only how ready nodes are executed; <see cref="ExecuteAsync"/> is the standard dependency-driven loop.
/// </summary>
public sealed class PipelineRun
{
    private readonly IRunHook[] _hooks;
    private readonly IProgress<NodeProgress>? _progress;
    private readonly ILogger _logger;
    private readonly PipelineGraph _graph;
    private readonly IDataset[] _datasets;
    private readonly int[] _loadCounts;
    private readonly bool[] _completed;
    private readonly bool[] _released;
    private readonly bool[] _sharesDataset;
    private int _completedCount;
    private readonly List<NodeExecutionException> _failures = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly PerformanceRecorder? _recorder;

    /// <summary>
    /// Starts a run. <see cref="AbstractRunner"/> creates one per <see cref="AbstractRunner.RunAsync"/>; a runner that
    /// executes nodes somewhere else creates one there too, e.g. a worker runs one node of a one-node pipeline with
    /// <see cref="RunNodeAsync(Node, CancellationToken)"/>.
    /// </summary>
    /// <param name="pipeline">The pipeline to run.</param>
    /// <param name="catalog">A catalog with a dataset for every dataset name of the pipeline.</param>
    /// <param name="options">Failure and retry policies; the defaults when null.</param>
    /// <param name="runOptions">Hooks, session id and progress; none when null.</param>
    /// <param name="runnerName">The runner's name that hooks see; <c>PipelineRun</c> when null.</param>
    /// <param name="logger">Where the run logs; nowhere when null.</param>
    /// <exception cref="DatasetNotFoundException">A dataset of the pipeline is not in the catalog.</exception>
    public PipelineRun(
        Pipeline pipeline,
        DataCatalog catalog,
        RunnerOptions? options = null,
        RunOptions? runOptions = null,
        string? runnerName = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new RunnerOptions();
        runOptions ??= new RunOptions();
        runnerName ??= nameof(PipelineRun);
        logger ??= Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Pipeline = pipeline;
        Catalog = catalog;
        Options = options;
        _time = options.TimeProvider;
        SessionId = runOptions.SessionId ?? Guid.NewGuid().ToString("N");
        _hooks = [.. runOptions.Hooks];
        _progress = runOptions.Progress;
        _logger = logger;
        Info = new PipelineRunInfo(pipeline, catalog, SessionId, runnerName);

        // The pipeline's compiled graph is shared by all runs; a run only resolves each dataset name once and copies
        // the load counters, so running a node does no name lookups.
        _graph = pipeline.Graph;
        _datasets = new IDataset[_graph.Names.Length];
        for (var i = 0; i < _datasets.Length; i++)
        {
            _datasets[i] = catalog.GetDataset(_graph.Names[i]);
        }

        _loadCounts = (int[])_graph.InitialLoadCounts.Clone();
        _completed = new bool[_graph.Nodes.Length];
        _released = new bool[_datasets.Length];
        _sharesDataset = new bool[_datasets.Length];
        foreach (var variants in _graph.SlotNames)
        {
            // Transcoded names backed by one dataset object (the runner's shared default dataset) are released together.
            for (var a = 0; a < variants.Length; a++)
            {
                for (var b = a + 1; b < variants.Length; b++)
                {
                    if (ReferenceEquals(_datasets[variants[a]], _datasets[variants[b]]))
                    {
                        _sharesDataset[variants[a]] = _sharesDataset[variants[b]] = true;
                    }
                }
            }
        }
        _recorder = runOptions.Performance;
        _recorder?.Attach(_graph, _datasets, _time, runnerName, SessionId);
    }

    /// <summary>The run's performance recorder (<see cref="RunOptions.Performance"/>); null when nobody asked for a report.</summary>
    public PerformanceRecorder? Performance => _recorder;

    /// <summary>The pipeline being run.</summary>
    public Pipeline Pipeline { get; }

    /// <summary>The run's catalog: the caller's datasets plus the runner's default datasets.</summary>
    public DataCatalog Catalog { get; }

    /// <summary>
    /// The catalog as the caller gave it, without the runner's default datasets: the resume suggestion counts only its
    /// persisted datasets, since a runner's defaults (memory, a distributed store) do not outlive a failed run.
    /// </summary>
    internal DataCatalog? CallerCatalog { get; init; }

    /// <summary>The runner's options.</summary>
    public RunnerOptions Options { get; }

    /// <summary>The session id.</summary>
    public string SessionId { get; }

    /// <summary>What pipeline hooks see of this run.</summary>
    public PipelineRunInfo Info { get; }

    /// <summary>The hooks of this run.</summary>
    public IReadOnlyList<IRunHook> Hooks => _hooks;

    /// <summary>How many nodes have completed.</summary>
    public int CompletedCount
    {
        get
        {
            lock (_gate)
            {
                return _completedCount;
            }
        }
    }

    /// <summary>The failures recorded so far.</summary>
    public IReadOnlyList<NodeExecutionException> Failures
    {
        get
        {
            lock (_gate)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>
    /// Runs the pipeline's nodes as their dependencies complete, at most <paramref name="maxDegreeOfParallelism"/> at
    /// once; with 1, nodes run inline in <see cref="Pipelines.Pipeline.Nodes"/> order. Applies the failure policy.
    /// </summary>
    /// <param name="maxDegreeOfParallelism">How many nodes may run at once.</param>
    /// <param name="cancellationToken">Cancels the run: no new node starts, running nodes get the cancellation.</param>
    /// <returns>A task that completes when every runnable node has run.</returns>
    /// <exception cref="NodeExecutionException">A node failed (stop-on-first-failure policy).</exception>
    /// <exception cref="PipelineRunFailedException">Nodes failed (continue policy).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task ExecuteAsync(int maxDegreeOfParallelism, CancellationToken cancellationToken) =>
        new DependencyScheduler(this, maxDegreeOfParallelism).RunAsync(cancellationToken);

    /// <summary>
    /// Runs one node: loads its inputs, calls the before-node hooks (which may replace inputs), converts inputs to the
    /// parameter types, calls the function, calls the after-node hooks, saves the outputs and confirms datasets.
    /// Does not mark the node completed: call <see cref="CompleteNodeAsync(Node, TimeSpan, CancellationToken)"/> for that.
    /// </summary>
    /// <param name="node">A node of the pipeline.</param>
    /// <param name="cancellationToken">Passed to datasets, hooks and the node's function.</param>
    /// <returns>A task that completes when the node's outputs are saved.</returns>
    /// <exception cref="NodeExecutionException">Anything failed; the inner exception is the cause.</exception>
    public Task RunNodeAsync(Node node, CancellationToken cancellationToken) => RunNodeAsync(IndexOf(node), cancellationToken);

    /// <summary>Runs the node at <paramref name="index"/> in the pipeline's topological order, retrying transient failures as its policy says.</summary>
    internal Task RunNodeAsync(int index, CancellationToken cancellationToken)
    {
        var node = _graph.Nodes[index];
        Report(NodeProgressKind.Started, node, TimeSpan.Zero, null);
        var policy = node.RetryPolicy ?? Options.RetryPolicy;
        _recorder?.NodeStarted(index);
        var execution = policy.MaxAttempts == 1
            ? RunAttemptAsync(index, node, 1, cancellationToken) // no retries: no retry loop on the hot path
            : RunWithRetriesAsync(index, node, policy, cancellationToken);
        return _recorder is null ? execution : _recorder.TrackAsync(index, execution);
    }

    private async Task RunWithRetriesAsync(int index, Node node, RetryPolicy policy, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunAttemptAsync(index, node, attempt, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NodeExecutionException failure) when (failure.InnerException is { } error && policy.ShouldRetry(error, attempt))
            {
                var delay = policy.DelayAfter(attempt);
                RunnerLog.Retrying(_logger, node.Name, error.GetType().Name, error.Message, attempt, policy.MaxAttempts, delay.TotalMilliseconds);
                PipelineRunnerDiagnostics.NodesRetried.Add(1);
                _recorder?.Retried(index);
                _progress?.Report(new NodeProgress(NodeProgressKind.Retrying, node.Name, CompletedCount, Pipeline.Nodes.Count, TimeSpan.Zero, error)
                {
                    Attempt = attempt,
                    RetryDelay = delay,
                });
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAttemptAsync(int index, Node node, int attempt, CancellationToken cancellationToken)
    {
        using var activity = PipelineRunnerDiagnostics.ActivitySource.StartActivity("node.run");
        if (activity is not null)
        {
            activity.SetTag(PipelineRunnerDiagnostics.NodeTag, node.Name);
            activity.SetTag(PipelineRunnerDiagnostics.AttemptTag, attempt);
        }

        var started = Stopwatch.GetTimestamp();
        RunnerLog.RunningNode(_logger, node.Name);
        var inputs = new object?[node.Inputs.Count];
        Dictionary<string, object?>? inputMap = null;
        try
        {
            var loading = _recorder?.Now() ?? 0;
            await LoadInputsAsync(node, index, inputs, cancellationToken).ConfigureAwait(false);
            _recorder?.Loaded(index, loading);
            if (_hooks.Length > 0)
            {
                inputMap = ToMap(node.Inputs, inputs);
                var info = NodeInfo(node, inputMap, attempt);
                foreach (var hook in _hooks)
                {
                    var replacements = await hook.BeforeNodeRunAsync(info, cancellationToken).ConfigureAwait(false);
                    if (replacements is not null)
                    {
                        ApplyReplacements(node, inputs, inputMap, replacements);
                    }
                }
            }

            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = node.ConvertInput(i, inputs[i]);
            }

            var result = await node.InvokeAsync(inputs, cancellationToken).ConfigureAwait(false);
            if (node.IsGenerator)
            {
                await SaveChunksAsync(node, index, inputMap, attempt, result, cancellationToken).ConfigureAwait(false);
            }
            else if (_hooks.Length == 0 && node.OutputBinding.Kind == NodeBindingKind.Single)
            {
                // The common case: one output, no hooks; no array for the split result.
                var saving = _recorder?.Now() ?? 0;
                await SaveOutputAsync(node, _datasets[_graph.OutputNames[index][0]], 0, result, cancellationToken).ConfigureAwait(false);
                _recorder?.Saved(index, saving);
            }
            else
            {
                await SplitAndSaveAsync(node, index, inputMap, attempt, result, cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < node.Confirms.Count; i++)
            {
                await Catalog.ConfirmAsync(node.Confirms[i], cancellationToken).ConfigureAwait(false);
            }

            PipelineRunnerDiagnostics.NodeDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            activity?.SetTag(PipelineRunnerDiagnostics.OutcomeTag, "completed");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag(PipelineRunnerDiagnostics.OutcomeTag, "failed");
            var info = NodeInfo(node, inputMap ?? ToMap(node.Inputs, inputs), attempt);
            foreach (var hook in _hooks)
            {
                await hook.OnNodeErrorAsync(info, ex, cancellationToken).ConfigureAwait(false);
            }

            throw new NodeExecutionException(node.Name, ex);
        }
    }

    private async ValueTask SplitAndSaveAsync(Node node, int index, Dictionary<string, object?>? inputMap, int attempt, object? result, CancellationToken cancellationToken)
    {
        var outputs = node.SplitOutputs(result, _logger);
        if (_hooks.Length > 0)
        {
            var info = NodeInfo(node, inputMap!, attempt);
            var outputMap = ToMap(node.Outputs, outputs);
            foreach (var hook in _hooks)
            {
                await hook.AfterNodeRunAsync(info, outputMap, cancellationToken).ConfigureAwait(false);
            }
        }

        await SaveOutputsAsync(node, index, outputs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Kedro's generator nodes: reads the function's chunks one at a time and saves each, split into outputs, to every
    /// output dataset in turn (with the dataset-saved hooks around each save) before asking for the next, so an
    /// appending dataset receives every chunk and a replacing one keeps the last. The after-node hooks run once, as in
    /// Kedro, after the function returned and before the first chunk is saved; each output maps to the unread sequence
    /// of chunks (the function's result), which a hook should not enumerate: that would run an iterator method again
    /// or take chunks away from the datasets. Chunks saved before a failure stay saved.
    /// </summary>
    private async ValueTask SaveChunksAsync(Node node, int index, Dictionary<string, object?>? inputMap, int attempt, object? result, CancellationToken cancellationToken)
    {
        var reader = node.ReadChunks(result, cancellationToken);
        var chunks = 0;
        await using (reader.ConfigureAwait(false))
        {
            if (_hooks.Length > 0)
            {
                var info = NodeInfo(node, inputMap!, attempt);
                var outputMap = new Dictionary<string, object?>(node.Outputs.Count, StringComparer.Ordinal);
                foreach (var name in node.Outputs)
                {
                    outputMap[name] = result;
                }

                foreach (var hook in _hooks)
                {
                    await hook.AfterNodeRunAsync(info, outputMap, cancellationToken).ConfigureAwait(false);
                }
            }

            try
            {
                while (await reader.MoveNextAsync().ConfigureAwait(false))
                {
                    // No logger: a generator node without outputs drops its chunks without a warning per chunk.
                    var outputs = node.SplitOutputs(reader.Current);
                    await SaveOutputsAsync(node, index, outputs, cancellationToken).ConfigureAwait(false);
                    chunks++;
                }
            }
            catch (Exception) when (chunks > 0 && node.Outputs.Count > 0 && !cancellationToken.IsCancellationRequested)
            {
                RunnerLog.ChunksKeptAfterFailure(_logger, node.Name, chunks);
                throw;
            }
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            RunnerLog.SavedChunks(_logger, node.Name, chunks);
        }
    }

    /// <summary>
    /// Marks a node completed: logs <c>Completed node</c> and <c>Completed i out of N tasks</c>, reports progress,
    /// decrements the load counts of its inputs and releases every dataset no remaining node will load (never the
    /// pipeline's inputs or outputs), in the node's input then output order. As in Kedro, transcoded names
    /// (<c>x@a</c>, <c>x@b</c>) are counted and released each on its own, except names backed by one dataset object
    /// (the runner's shared default dataset), which are released together once none of them is loaded any more.
    /// </summary>
    /// <param name="node">The node.</param>
    /// <param name="duration">How long the node took, for progress.</param>
    /// <param name="cancellationToken">Passed to the releases.</param>
    /// <returns>A task that completes when the datasets are released.</returns>
    public ValueTask CompleteNodeAsync(Node node, TimeSpan duration, CancellationToken cancellationToken) =>
        CompleteNodeAsync(IndexOf(node), duration, cancellationToken);

    /// <summary>Marks the node at <paramref name="index"/> completed.</summary>
    internal async ValueTask CompleteNodeAsync(int index, TimeSpan duration, CancellationToken cancellationToken)
    {
        var node = _graph.Nodes[index];
        int done;
        List<int>? releases = null;
        lock (_gate)
        {
            if (_completed[index])
            {
                throw new InvalidOperationException($"Node '{node.Name}' was completed twice.");
            }

            _completed[index] = true;
            done = ++_completedCount;

            // Kedro's _release_datasets: each input name whose own load count reaches zero, then each output name
            // nothing loads, in the node's order, never the pipeline's free inputs or outputs. Claimed under the lock
            // (each name once), released outside it.
            foreach (var name in _graph.InputNames[index])
            {
                if (--_loadCounts[name] < 1 && !_graph.IsPipelineInput[_graph.NameSlots[name]])
                {
                    Claim(name, ref releases);
                }
            }

            foreach (var name in _graph.OutputNames[index])
            {
                if (_loadCounts[name] < 1 && !_graph.IsPipelineOutput[_graph.NameSlots[name]])
                {
                    Claim(name, ref releases);
                }
            }
        }

        PipelineRunnerDiagnostics.NodesCompleted.Add(1);
        RunnerLog.CompletedNode(_logger, node.Name);
        RunnerLog.CompletedTasks(_logger, done, _completed.Length);
        if (releases is not null)
        {
            foreach (var name in releases)
            {
                await Catalog.ReleaseAsync(_graph.Names[name], cancellationToken).ConfigureAwait(false);
            }
        }

        // Reported once the node's datasets are released, so a progress consumer sees the state after the node.
        _progress?.Report(new NodeProgress(NodeProgressKind.Completed, node.Name, done, _completed.Length, duration));
    }

    /// <summary>
    /// Claims a dataset name for release (under the lock). A name backed by the same dataset object as another
    /// transcoded name of its dataset waits until every such name is done, then all of them are claimed together:
    /// releasing the shared object earlier would drop data another name still has to load.
    /// </summary>
    private void Claim(int name, ref List<int>? releases)
    {
        if (_released[name])
        {
            return; // a node reading one dataset twice releases it once
        }

        if (!_sharesDataset[name])
        {
            _released[name] = true;
            (releases ??= []).Add(name);
            return;
        }

        var variants = _graph.SlotNames[_graph.NameSlots[name]];
        foreach (var other in variants)
        {
            if (_loadCounts[other] > 0 && ReferenceEquals(_datasets[other], _datasets[name]))
            {
                return;
            }
        }

        foreach (var other in variants)
        {
            if (!_released[other] && ReferenceEquals(_datasets[other], _datasets[name]))
            {
                _released[other] = true;
                (releases ??= []).Add(other);
            }
        }
    }

    /// <summary>Records a node failure: logs it, reports progress and keeps it for the end of the run.</summary>
    /// <param name="failure">The failure.</param>
    /// <param name="duration">How long the node ran before failing.</param>
    public void RecordFailure(NodeExecutionException failure, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(failure);
        lock (_gate)
        {
            _failures.Add(failure);
        }

        PipelineRunnerDiagnostics.NodesFailed.Add(1);
        RunnerLog.NodeFailed(_logger, failure.Message); // one line; the stack at Debug
        RunnerLog.NodeFailedDetail(_logger, failure.NodeName, failure.InnerException ?? failure);
        _progress?.Report(new NodeProgress(NodeProgressKind.Failed, failure.NodeName, CompletedCount, Pipeline.Nodes.Count, duration, failure.InnerException));
    }

    /// <summary>Records that a node did not run because a node it depends on failed.</summary>
    /// <param name="node">The skipped node.</param>
    public void RecordSkipped(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        RunnerLog.SkippedNode(_logger, node.Name);
        _recorder?.Skipped(node);
        _progress?.Report(new NodeProgress(NodeProgressKind.Skipped, node.Name, CompletedCount, Pipeline.Nodes.Count, TimeSpan.Zero));
    }

    /// <summary>
    /// Ends a run that had failures: logs Kedro's resume suggestion and throws the first failure (stop policy) or a
    /// <see cref="PipelineRunFailedException"/> with all of them (continue policy).
    /// </summary>
    /// <param name="skipped">Nodes that did not run because of the failures.</param>
    /// <exception cref="NodeExecutionException">Stop policy.</exception>
    /// <exception cref="PipelineRunFailedException">Continue policy.</exception>
    public void ThrowFailures(IReadOnlyList<Node> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        List<Node> done = [];
        NodeExecutionException[] failures;
        lock (_gate)
        {
            for (var i = 0; i < _completed.Length; i++)
            {
                if (_completed[i])
                {
                    done.Add(_graph.Nodes[i]);
                }
            }

            failures = [.. _failures];
        }

        if (failures.Length == 0)
        {
            return;
        }

        var resume = ResumeSuggestion.Find(Pipeline, done, CallerCatalog ?? Catalog);
        if (done.Count == 0)
        {
            RunnerLog.NoNodesRan(_logger);
        }
        else
        {
            RunnerLog.ResumeSuggestion(_logger, Pipeline.Nodes.Count - done.Count, string.Join(",", resume));
        }

        foreach (var failure in failures)
        {
            failure.ResumeFromNodes = resume;
        }

        if (Options.FailurePolicy == NodeFailurePolicy.StopOnFirstFailure)
        {
            throw failures[0];
        }

        throw new PipelineRunFailedException(failures, skipped.Select(n => n.Name).Order(StringComparer.Ordinal).ToList(), resume);
    }

    /// <summary>Whether anyone listens for progress events (<see cref="RunOptions.Progress"/>).</summary>
    public bool HasProgress => _progress is not null;

    /// <summary>Whether a node has completed in this run.</summary>
    /// <param name="node">A node of the pipeline.</param>
    /// <returns>True once <see cref="CompleteNodeAsync(Node, TimeSpan, CancellationToken)"/> was called for it.</returns>
    public bool IsCompleted(Node node)
    {
        lock (_gate)
        {
            return _completed[IndexOf(node)];
        }
    }

    /// <summary>Reports that a node started somewhere else (a distributed runner's worker).</summary>
    /// <param name="node">A node of the pipeline.</param>
    public void ReportStarted(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        Report(NodeProgressKind.Started, node, TimeSpan.Zero, null);
    }

    /// <summary>Reports that an attempt of a node failed somewhere else and will be retried (a distributed runner's worker).</summary>
    /// <param name="node">A node of the pipeline.</param>
    /// <param name="attempt">The attempt that failed, from 1.</param>
    /// <param name="error">Its error.</param>
    /// <param name="delay">The wait before the next attempt.</param>
    public void ReportRetrying(Node node, int attempt, Exception error, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _progress?.Report(new NodeProgress(NodeProgressKind.Retrying, node.Name, CompletedCount, Pipeline.Nodes.Count, TimeSpan.Zero, error)
        {
            Attempt = attempt,
            RetryDelay = delay,
        });
    }

    private void Report(NodeProgressKind kind, Node node, TimeSpan duration, Exception? error)
    {
        if (_progress is not null)
        {
            _progress.Report(new NodeProgress(kind, node.Name, CompletedCount, Pipeline.Nodes.Count, duration, error));
        }
    }

    private NodeRunInfo NodeInfo(Node node, IReadOnlyDictionary<string, object?> inputs, int attempt) =>
        new(node, Catalog, inputs, SessionId, Options.IsAsync, attempt);

    private static Dictionary<string, object?> ToMap(IReadOnlyList<string> names, object?[] values)
    {
        var map = new Dictionary<string, object?>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            map[names[i]] = values[i];
        }

        return map;
    }

    private static void ApplyReplacements(Node node, object?[] inputs, Dictionary<string, object?> inputMap, IReadOnlyDictionary<string, object?> replacements)
    {
        foreach (var (name, value) in replacements)
        {
            var found = false;
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i] == name)
                {
                    inputs[i] = value;
                    found = true;
                }
            }

            if (!found)
            {
                throw new InvalidOperationException(
                    $"A before-node-run hook returned a value for '{name}', which is not an input of node '{node.Name}' (inputs: [{string.Join(", ", node.Inputs)}]).");
            }

            inputMap[name] = value;
        }
    }

    private async ValueTask LoadInputsAsync(Node node, int index, object?[] inputs, CancellationToken cancellationToken)
    {
        if (Options.IsAsync && inputs.Length > 1)
        {
            var loads = new Task<object?>[inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                loads[i] = LoadInputAsync(node, _datasets[_graph.InputNames[index][i]], i, cancellationToken).AsTask();
            }

            await Task.WhenAll(loads).ConfigureAwait(false);
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = loads[i].Result;
            }

            return;
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = await LoadInputAsync(node, _datasets[_graph.InputNames[index][i]], i, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<object?> LoadInputAsync(Node node, IDataset dataset, int index, CancellationToken cancellationToken)
    {
        var name = node.Inputs[index];
        using var activity = PipelineRunnerDiagnostics.ActivitySource.StartActivity("dataset.load");
        activity?.SetTag(PipelineRunnerDiagnostics.DatasetTag, name);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            RunnerLog.Loading(_logger, name, dataset.GetType().Name);
        }

        if (_hooks.Length == 0)
        {
            return await DataCatalog.LoadFromAsync(name, dataset, node.InputTypes[index], cancellationToken).ConfigureAwait(false);
        }

        var info = new DatasetHookInfo(name, node);
        foreach (var hook in _hooks)
        {
            await hook.BeforeDatasetLoadedAsync(info, cancellationToken).ConfigureAwait(false);
        }

        var value = await DataCatalog.LoadFromAsync(name, dataset, node.InputTypes[index], cancellationToken).ConfigureAwait(false);
        foreach (var hook in _hooks)
        {
            await hook.AfterDatasetLoadedAsync(info, value, cancellationToken).ConfigureAwait(false);
        }

        return value;
    }

    private async ValueTask SaveOutputsAsync(Node node, int index, object?[] outputs, CancellationToken cancellationToken)
    {
        var saving = _recorder?.Now() ?? 0;
        await SaveEachOutputAsync(node, index, outputs, cancellationToken).ConfigureAwait(false);
        _recorder?.Saved(index, saving);
    }

    private async ValueTask SaveEachOutputAsync(Node node, int index, object?[] outputs, CancellationToken cancellationToken)
    {
        if (Options.IsAsync && outputs.Length > 1)
        {
            var saves = new Task[outputs.Length];
            for (var i = 0; i < outputs.Length; i++)
            {
                saves[i] = SaveOutputAsync(node, _datasets[_graph.OutputNames[index][i]], i, outputs[i], cancellationToken).AsTask();
            }

            await Task.WhenAll(saves).ConfigureAwait(false);
            return;
        }

        for (var i = 0; i < outputs.Length; i++)
        {
            await SaveOutputAsync(node, _datasets[_graph.OutputNames[index][i]], i, outputs[i], cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SaveOutputAsync(Node node, IDataset dataset, int index, object? value, CancellationToken cancellationToken)
    {
        var name = node.Outputs[index];
        using var activity = PipelineRunnerDiagnostics.ActivitySource.StartActivity("dataset.save");
        activity?.SetTag(PipelineRunnerDiagnostics.DatasetTag, name);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            RunnerLog.Saving(_logger, name, dataset.GetType().Name);
        }

        if (_hooks.Length == 0)
        {
            await DataCatalog.SaveToAsync(name, dataset, value, cancellationToken).ConfigureAwait(false);
            return;
        }

        var info = new DatasetHookInfo(name, node);
        foreach (var hook in _hooks)
        {
            await hook.BeforeDatasetSavedAsync(info, value, cancellationToken).ConfigureAwait(false);
        }

        await DataCatalog.SaveToAsync(name, dataset, value, cancellationToken).ConfigureAwait(false);
        foreach (var hook in _hooks)
        {
            await hook.AfterDatasetSavedAsync(info, value, cancellationToken).ConfigureAwait(false);
        }
    }

    private int IndexOf(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _graph.Index.TryGetValue(node, out var index)
            ? index
            : throw new ArgumentException($"Node '{node.Name}' is not in the pipeline of this run.", nameof(node));
    }
}
