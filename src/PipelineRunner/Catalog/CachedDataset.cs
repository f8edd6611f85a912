namespace PipelineRunner.Catalog;

/// <summary>
/// Wraps a dataset and keeps the data saved to or loaded from it in memory (Kedro's <c>CachedDataset</c>), so slow
/// storage is read at most once: a load returns the cached value when there is one, otherwise it loads from the wrapped
/// dataset and caches the result; a save writes the wrapped dataset, then the cache; a release frees both.
/// </summary>
/// <remarks>
/// In <c>catalog.yml</c>: <c>type: CachedDataset</c> (or <c>kedro.io.CachedDataset</c>) with the wrapped dataset's
/// entry under <c>dataset</c>, optional <c>copy_mode</c> for the cache, and <c>versioned: true</c> on the wrapper, not
/// on the wrapped entry, as in Kedro. Like Kedro's, it is ephemeral: only-missing runs recompute it.
/// </remarks>
public sealed class CachedDataset : IDataset
{
    private readonly MemoryDataset _cache;

    /// <summary>Creates the dataset.</summary>
    /// <param name="dataset">The dataset to cache.</param>
    /// <param name="copyMode">How the cache copies values on save and load; <see cref="MemoryCopyMode.Assign"/> by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    public CachedDataset(IDataset dataset, MemoryCopyMode copyMode = MemoryCopyMode.Assign)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Dataset = dataset;
        _cache = new MemoryDataset(copyMode);
    }

    /// <summary>The wrapped dataset.</summary>
    public IDataset Dataset { get; }

    /// <summary>How the cache copies values.</summary>
    public MemoryCopyMode CopyMode => _cache.CopyMode;

    /// <summary>Always <see langword="true"/>, as Kedro's: the cached value lives in this process only.</summary>
    public bool IsEphemeral => true;

    /// <summary>The cached value when there is one, otherwise the wrapped dataset's data, which is then cached.</summary>
    /// <param name="requestedType">The type the consumer wants, passed to the wrapped dataset.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The data.</returns>
    public async ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestedType);
        if (await _cache.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                return await _cache.LoadAsync(requestedType, cancellationToken).ConfigureAwait(false);
            }
            catch (DatasetException)
            {
                // Released meanwhile: load from the wrapped dataset as if it had never been cached.
            }
        }

        var data = await Dataset.LoadAsync(requestedType, cancellationToken).ConfigureAwait(false);
        await _cache.SaveAsync(data, cancellationToken).ConfigureAwait(false);
        return data;
    }

    /// <summary>Saves to the wrapped dataset, then to the cache (a failed save caches nothing).</summary>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when saved.</returns>
    public async ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
    {
        await Dataset.SaveAsync(data, cancellationToken).ConfigureAwait(false);
        await _cache.SaveAsync(data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the cache holds a value, else whether the wrapped dataset has data.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether a load would find data.</returns>
    public async ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) =>
        await _cache.ExistsAsync(cancellationToken).ConfigureAwait(false)
        || await Dataset.ExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Empties the cache and releases the wrapped dataset.</summary>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes when released.</returns>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        await _cache.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        await Dataset.ReleaseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The type, the wrapped dataset's description and the cache's.</summary>
    /// <returns>Key/value pairs describing the dataset.</returns>
    public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["type"] = nameof(CachedDataset),
        ["dataset"] = Dataset.ToString(),
        ["cache"] = _cache.ToString(),
    };

    /// <inheritdoc />
    public override string ToString() => $"{nameof(CachedDataset)}(dataset={Dataset}, cache={_cache})";
}
