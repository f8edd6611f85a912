using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Catalog;

/// <summary>
/// Base class for a dataset holding values of <typeparamref name="T"/>: implement <see cref="LoadCoreAsync"/> and
/// <see cref="SaveCoreAsync"/>, and optionally <see cref="ExistsCoreAsync"/> and <see cref="ReleaseCoreAsync"/>.
/// </summary>
/// <typeparam name="T">The type of the data.</typeparam>
public abstract class AbstractDataset<T> : IDataset
{
    /// <inheritdoc />
    public virtual bool IsEphemeral => false;

    /// <summary>Loads the data.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The data.</returns>
    public ValueTask<T> LoadAsync(CancellationToken cancellationToken = default) => LoadCoreAsync(cancellationToken);

    /// <summary>Saves the data.</summary>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when saved.</returns>
    public ValueTask SaveAsync(T data, CancellationToken cancellationToken = default) => SaveCoreAsync(data, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => ExistsCoreAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => ReleaseCoreAsync(cancellationToken);

    /// <inheritdoc />
    public virtual IReadOnlyDictionary<string, object?> Describe() =>
        new Dictionary<string, object?> { ["type"] = GetType().Name, ["data_type"] = TypeNames.Describe(typeof(T)) };

    async ValueTask<object?> IDataset.LoadAsync(Type requestedType, CancellationToken cancellationToken) =>
        await LoadCoreAsync(cancellationToken).ConfigureAwait(false);

    ValueTask IDataset.SaveAsync(object? data, CancellationToken cancellationToken)
    {
        if (data is T typed)
        {
            return SaveCoreAsync(typed, cancellationToken);
        }

        if (data is null && default(T) is null)
        {
            return SaveCoreAsync(default!, cancellationToken);
        }

        throw new InvalidCastException(
            $"{GetType().Name} holds {TypeNames.Describe(typeof(T))} but was given {(data is null ? "null" : TypeNames.Describe(data.GetType()))}.");
    }

    /// <summary>Loads the data.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The data.</returns>
    protected abstract ValueTask<T> LoadCoreAsync(CancellationToken cancellationToken);

    /// <summary>Saves the data.</summary>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when saved.</returns>
    protected abstract ValueTask SaveCoreAsync(T data, CancellationToken cancellationToken);

    /// <summary>Whether there is data to load; <see langword="false"/> unless overridden.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether data exists.</returns>
    protected virtual ValueTask<bool> ExistsCoreAsync(CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>Frees cached data; does nothing unless overridden.</summary>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes when released.</returns>
    protected virtual ValueTask ReleaseCoreAsync(CancellationToken cancellationToken) => default;
}
