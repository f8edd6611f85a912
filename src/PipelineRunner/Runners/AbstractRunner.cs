using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PipelineRunner.Catalog;
using PipelineRunner.Diagnostics;
using PipelineRunner.Pipelines;
using PipelineRunner.Pipelines.Internal;
using PipelineRunner.Runners.Internal;

namespace PipelineRunner.Runners;

/// <summary>
/// The base of every runner. <see cref="RunAsync(Pipeline, DataCatalog, RunOptions?, CancellationToken)"/> validates
/// the catalog against the pipeline, registers a default dataset (<see cref="CreateDefaultDataset"/>) for every dataset
/// the catalog lacks, calls the pipeline hooks, lets the runner execute the nodes (<see cref="ExecuteAsync"/>) and
/// returns the free outputs. Load counts, releases, node hooks, progress, failure policy and the resume suggestion
/// live in <see cref="PipelineRun"/>, shared by all runners.
/// </summary>
public abstract class AbstractRunner
{
    /// <summary>Creates the runner.</summary>
    /// <param name="options">Runner options; defaults when null.</param>
    /// <param name="logger">Logger for run and node messages; none when null.</param>
    protected AbstractRunner(RunnerOptions? options, ILogger? logger)
    {
        Options = options ?? new RunnerOptions();
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The runner's options.</summary>
    public RunnerOptions Options { get; }

    /// <summary>The runner's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>
    /// Runs a pipeline, with per-run options (hooks, session id, progress) when given:
    /// <c>RunAsync(pipeline, catalog)</c>, <c>RunAsync(pipeline, catalog, null)</c> and
    /// <c>RunAsync(pipeline, catalog, new RunOptions { Hooks = [hook] })</c>.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="catalog">The catalog to load inputs from and save outputs to; not modified.</param>
    /// <param name="options">Per-run options; defaults (no hooks, a new session id, no progress) when null.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The free outputs (pipeline outputs the catalog does not register), loaded, keyed by dataset name.</returns>
    /// <exception cref="MissingInputsException">
    /// Free inputs are missing from the catalog; no node ran (the pipeline hooks saw the run start and fail).
    /// </exception>
    /// <exception cref="NodeExecutionException">A node failed (stop-on-first-failure policy).</exception>
    /// <exception cref="PipelineRunFailedException">Nodes failed (continue policy).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<IReadOnlyDictionary<string, object?>> RunAsync(
        Pipeline pipeline,
        DataCatalog catalog,
        RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new RunOptions();
        var missing = pipeline.Inputs().Where(i => !catalog.Contains(i)).Order(StringComparer.Ordinal).ToList();
        var freeOutputs = pipeline.Outputs().Where(o => !catalog.Contains(o)).Order(StringComparer.Ordinal).ToList();
        var runCatalog = catalog.ShallowCopy(pipeline.Graph.Names.Length);
        var graph = pipeline.Graph;
        foreach (var variants in graph.SlotNames)
        {
            IDataset? dataset = null;
            foreach (var id in variants)
            {
                var name = graph.Names[id];
                if (!catalog.Contains(name))
                {
                    // Transcoded names of one dataset share one default dataset.
                    dataset ??= CreateDefaultDataset(DatasetNames.StripTranscoding(name));
                    runCatalog.AddOrReplace(name, dataset);
                }
            }
        }

        var run = new PipelineRun(pipeline, runCatalog, Options, options, GetType().Name, Logger) { CallerCatalog = catalog };
        using var activity = PipelineRunnerDiagnostics.ActivitySource.StartActivity("pipeline.run");
        activity?.SetTag("pipelinerunner.nodes", pipeline.Nodes.Count);
        activity?.SetTag(PipelineRunnerDiagnostics.RunnerTag, GetType().Name);
        if (Options.IsAsync)
        {
            RunnerLog.AsyncMode(Logger);
        }

        var started = Stopwatch.GetTimestamp();
        foreach (var hook in run.Hooks)
        {
            await hook.BeforePipelineRunAsync(run.Info, cancellationToken).ConfigureAwait(false);
        }

        Dictionary<string, object?> result;
        try
        {
            if (missing.Count > 0)
            {
                // As in Kedro, the pipeline hooks see it: before-pipeline-run, then on-pipeline-error; no node runs.
                throw new MissingInputsException(missing, CloseNames.Find(missing, catalog.ListDatasets()));
            }

            await ExecuteAsync(run, cancellationToken).ConfigureAwait(false);
            result = new Dictionary<string, object?>(StringComparer.Ordinal);
            var declared = DeclaredOutputTypes(pipeline);
            foreach (var output in freeOutputs)
            {
                // Datasets that deserialize (files, a distributed store) read the producer's declared type.
                result[output] = await runCatalog.LoadAsync(output, declared.GetValueOrDefault(output) ?? typeof(object), cancellationToken).ConfigureAwait(false);
            }

            options.Performance?.RunEnded(null);
        }
        catch (Exception ex)
        {
            options.Performance?.RunEnded(ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            foreach (var hook in run.Hooks)
            {
                await hook.OnPipelineErrorAsync(run.Info, ex, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }

        foreach (var hook in run.Hooks)
        {
            await hook.AfterPipelineRunAsync(run.Info, result, cancellationToken).ConfigureAwait(false);
        }

        RunnerLog.RunCompleted(Logger, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return result;
    }

    /// <summary>
    /// Runs only the nodes needed to produce missing outputs (Kedro's only-missing semantics). Datasets the catalog
    /// lacks but whose default dataset already holds data from an earlier run (a non-ephemeral default, such as the
    /// distributed runner's store) are reused rather than recomputed.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="catalog">The catalog; not modified.</param>
    /// <param name="options">Per-run options; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The free outputs of the nodes that ran.</returns>
    public async Task<IReadOnlyDictionary<string, object?>> RunOnlyMissingAsync(
        Pipeline pipeline,
        DataCatalog catalog,
        RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(catalog);
        var runCatalog = catalog.ShallowCopy();
        foreach (var (baseName, names) in UnregisteredDatasets(pipeline, catalog))
        {
            var dataset = CreateDefaultDataset(baseName);
            if (!dataset.IsEphemeral && await dataset.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var name in names)
                {
                    runCatalog.AddOrReplace(name, dataset);
                }
            }
        }

        var toRun = await MissingOutputsFilter.FilterAsync(pipeline, runCatalog, Logger, cancellationToken).ConfigureAwait(false);
        return toRun.Nodes.Count == 0
            ? new Dictionary<string, object?>()
            : await RunAsync(toRun, runCatalog, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The dataset used for a dataset the catalog does not register. In-process runners use a
    /// <see cref="MemoryDataset"/>; a distributed runner returns a dataset backed by its shared store.
    /// </summary>
    /// <param name="datasetName">The dataset name, without transcoding.</param>
    /// <returns>A new dataset.</returns>
    public virtual IDataset CreateDefaultDataset(string datasetName) => new MemoryDataset();

    /// <summary>The type each output's producer declares, where it declares one.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>Output name → declared type.</returns>
    protected static IReadOnlyDictionary<string, Type?> DeclaredOutputTypes(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var types = new Dictionary<string, Type?>(StringComparer.Ordinal);
        foreach (var node in pipeline.Nodes)
        {
            for (var i = 0; i < node.Outputs.Count; i++)
            {
                types[node.Outputs[i]] = node.OutputTypes[i];
            }
        }

        return types;
    }

    /// <summary>The datasets of the pipeline the catalog cannot provide, grouped by underlying (untranscoded) name.</summary>
    private static IEnumerable<(string BaseName, List<string> Names)> UnregisteredDatasets(Pipeline pipeline, DataCatalog catalog)
    {
        var graph = pipeline.Graph;
        foreach (var variants in graph.SlotNames)
        {
            List<string>? missing = null;
            foreach (var id in variants)
            {
                if (!catalog.Contains(graph.Names[id]))
                {
                    (missing ??= []).Add(graph.Names[id]);
                }
            }

            if (missing is not null)
            {
                yield return (DatasetNames.StripTranscoding(missing[0]), missing);
            }
        }
    }

    /// <summary>Executes the run's nodes; <see cref="PipelineRun.ExecuteAsync"/> is the standard way.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task that completes when every node has run.</returns>
    protected abstract Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken);
}
