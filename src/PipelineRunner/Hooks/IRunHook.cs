using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Hooks;

/// <summary>
/// Kedro's runner and dataset hooks. Every method has a no-op default, so a hook implements only what it needs.
/// Hooks run in registration order; an exception thrown by a hook fails the node or run that called it.
/// </summary>
public interface IRunHook
{
    /// <summary>Called before the first node runs.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask BeforePipelineRunAsync(PipelineRunInfo run, CancellationToken cancellationToken) => default;

    /// <summary>Called after every node ran successfully.</summary>
    /// <param name="run">The run.</param>
    /// <param name="result">The free outputs the run returns.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask AfterPipelineRunAsync(PipelineRunInfo run, IReadOnlyDictionary<string, object?> result, CancellationToken cancellationToken) => default;

    /// <summary>Called when the run fails.</summary>
    /// <param name="run">The run.</param>
    /// <param name="error">The error the run ends with.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask OnPipelineErrorAsync(PipelineRunInfo run, Exception error, CancellationToken cancellationToken) => default;

    /// <summary>Called before a node's function runs, with its loaded inputs. May return replacement input values.</summary>
    /// <param name="node">The node and its inputs.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>Input values to use instead of the loaded ones, keyed by dataset name; null to keep them.</returns>
    ValueTask<IReadOnlyDictionary<string, object?>?> BeforeNodeRunAsync(NodeRunInfo node, CancellationToken cancellationToken) => default;

    /// <summary>
    /// Called after a node's function returned, before its outputs are saved. For a generator node
    /// (<see cref="Pipelines.Node.IsGenerator"/>) it is called once, as in Kedro, before the first chunk is saved, and
    /// each output maps to the function's result, the sequence of chunks not yet read: enumerating it here would run
    /// an iterator method again or take chunks from the datasets; the dataset-saved hooks see each chunk.
    /// </summary>
    /// <param name="node">The node and its inputs.</param>
    /// <param name="outputs">The outputs, keyed by dataset name.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken) => default;

    /// <summary>Called when a node fails (loading, running or saving).</summary>
    /// <param name="node">The node and the inputs loaded so far.</param>
    /// <param name="error">The original error.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask OnNodeErrorAsync(NodeRunInfo node, Exception error, CancellationToken cancellationToken) => default;

    /// <summary>Called before a dataset is loaded for a node.</summary>
    /// <param name="dataset">The dataset and the node.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask BeforeDatasetLoadedAsync(DatasetHookInfo dataset, CancellationToken cancellationToken) => default;

    /// <summary>Called after a dataset was loaded for a node.</summary>
    /// <param name="dataset">The dataset and the node.</param>
    /// <param name="data">The loaded data.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask AfterDatasetLoadedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken) => default;

    /// <summary>Called before a node's output is saved.</summary>
    /// <param name="dataset">The dataset and the node.</param>
    /// <param name="data">The data to save.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask BeforeDatasetSavedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken) => default;

    /// <summary>Called after a node's output was saved.</summary>
    /// <param name="dataset">The dataset and the node.</param>
    /// <param name="data">The saved data.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when the hook is done.</returns>
    ValueTask AfterDatasetSavedAsync(DatasetHookInfo dataset, object? data, CancellationToken cancellationToken) => default;
}

/// <summary>What pipeline hooks see of a run.</summary>
/// <param name="Pipeline">The pipeline being run.</param>
/// <param name="Catalog">The run's catalog (with the runner's default datasets added).</param>
/// <param name="SessionId">The session id.</param>
/// <param name="RunnerName">The runner's type name.</param>
public sealed record PipelineRunInfo(Pipeline Pipeline, DataCatalog Catalog, string SessionId, string RunnerName);

/// <summary>What node hooks see of a node run.</summary>
/// <param name="Node">The node.</param>
/// <param name="Catalog">The run's catalog.</param>
/// <param name="Inputs">The loaded inputs, keyed by dataset name.</param>
/// <param name="SessionId">The session id.</param>
/// <param name="IsAsync">Whether inputs and outputs are loaded and saved concurrently.</param>
/// <param name="Attempt">The attempt number, from 1.</param>
public sealed record NodeRunInfo(Node Node, DataCatalog Catalog, IReadOnlyDictionary<string, object?> Inputs, string SessionId, bool IsAsync, int Attempt = 1);

/// <summary>What dataset hooks see of a load or save.</summary>
/// <param name="DatasetName">The dataset.</param>
/// <param name="Node">The node loading or saving it.</param>
public sealed record DatasetHookInfo(string DatasetName, Node Node);
