namespace PipelineRunner.Catalog;

/// <summary>
/// A named place data is loaded from and saved to. Implementations do the I/O; the <see cref="DataCatalog"/> wraps
/// their errors with the dataset's name. Derive from <see cref="AbstractDataset{T}"/> for a typed dataset.
/// </summary>
public interface IDataset
{
    /// <summary>
    /// Whether the data lives only in this process's memory and is lost when it ends (Kedro's ephemeral datasets).
    /// Ephemeral datasets are never suggested as resume points and are recomputed by only-missing runs.
    /// </summary>
    bool IsEphemeral { get; }

    /// <summary>Loads the data.</summary>
    /// <param name="requestedType">The type the consumer wants; datasets that deserialize use it as the target type.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The data.</returns>
    ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default);

    /// <summary>Saves the data.</summary>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when the data is saved.</returns>
    ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default);

    /// <summary>Whether there is data to load.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when a load would find data.</returns>
    ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>Frees any cached data (memory datasets forget their value).</summary>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes when the data is released.</returns>
    ValueTask ReleaseAsync(CancellationToken cancellationToken = default);

    /// <summary>A description of the dataset (type and configuration) for logs and errors.</summary>
    /// <returns>Key/value pairs describing the dataset.</returns>
    IReadOnlyDictionary<string, object?> Describe();
}

/// <summary>A dataset that can be confirmed after a node runs (Kedro's <c>confirms</c>), for example to commit a checkpoint.</summary>
public interface IConfirmableDataset : IDataset
{
    /// <summary>Confirms the dataset.</summary>
    /// <param name="cancellationToken">Cancels the confirmation.</param>
    /// <returns>A task that completes when confirmed.</returns>
    ValueTask ConfirmAsync(CancellationToken cancellationToken = default);
}
