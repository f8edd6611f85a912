using System.Collections;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PipelineRunner.Catalog.Internal;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Catalog;

/// <summary>
/// The registry of named datasets a run loads from and saves to, plus dataset factory patterns that create datasets
/// for matching names on first use. Thread-safe. Errors name the dataset and wrap the cause.
/// </summary>
/// <remarks>
/// Names keep Kedro 1.x's order: the order datasets were registered in, a dataset created from a factory pattern
/// joining the end when first used, and a replaced dataset moving to the end (Kedro removes and re-adds it).
/// </remarks>
public sealed class DataCatalog
{
    private readonly ConcurrentDictionary<string, Entry> _datasets;
    private readonly List<Factory> _factories;
    private readonly Lock _factoryGate = new();
    private readonly Lock _writeGate = new();
    private readonly ILogger _logger;
    private long _nextOrder;

    /// <summary>Creates an empty catalog.</summary>
    public DataCatalog()
        : this((ILogger?)null)
    {
    }

    /// <summary>Creates an empty catalog that logs to <paramref name="logger"/> (a warning when a dataset is replaced, as Kedro's).</summary>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public DataCatalog(ILogger? logger)
    {
        _datasets = new(StringComparer.Ordinal);
        _factories = [];
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Creates a catalog holding the given datasets.</summary>
    /// <param name="datasets">Name → dataset.</param>
    public DataCatalog(IEnumerable<KeyValuePair<string, IDataset>> datasets)
        : this()
    {
        ArgumentNullException.ThrowIfNull(datasets);
        foreach (var (name, dataset) in datasets)
        {
            Add(name, dataset);
        }
    }

    private DataCatalog(DataCatalog source, int additionalCapacity, ILogger logger)
    {
        _datasets = new(Environment.ProcessorCount, source._datasets.Count + additionalCapacity, StringComparer.Ordinal);
        _logger = logger;
        lock (source._writeGate)
        {
            foreach (var (name, entry) in source._datasets)
            {
                _datasets[name] = entry;
            }

            _nextOrder = source._nextOrder;
        }

        lock (source._factoryGate)
        {
            _factories = [.. source._factories];
        }
    }

    /// <summary>
    /// The registered dataset names (not counting unresolved factory patterns) in Kedro 1.x's order: as registered,
    /// datasets created from factory patterns added when first used, a replaced dataset moved to the end.
    /// </summary>
    /// <returns>The names.</returns>
    public IReadOnlyList<string> ListDatasets() => _datasets.OrderBy(d => d.Value.Order).Select(d => d.Key).ToList();

    /// <summary>
    /// The registered dataset names that match <paramref name="namePattern"/> (a regular expression, searched as Kedro's
    /// <c>name_regex</c>) and whose dataset is a <paramref name="datasetType"/> (Kedro's <c>by_type</c>), in the order of
    /// <see cref="ListDatasets"/>.
    /// </summary>
    /// <param name="namePattern">A regular expression the name must contain a match of; every name when null.</param>
    /// <param name="datasetType">The dataset type (or a base type or interface) the dataset must be; any when null.</param>
    /// <returns>The matching names.</returns>
    /// <exception cref="ArgumentException"><paramref name="namePattern"/> is not a valid regular expression.</exception>
    public IReadOnlyList<string> Filter(string? namePattern = null, Type? datasetType = null)
    {
        System.Text.RegularExpressions.Regex? regex;
        try
        {
            regex = namePattern is null ? null : new System.Text.RegularExpressions.Regex(namePattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"'{namePattern}' is not a valid regular expression for dataset names: {ex.Message}", nameof(namePattern), ex);
        }

        return _datasets
            .Where(d => (regex is null || regex.IsMatch(d.Key)) && (datasetType is null || datasetType.IsInstanceOfType(d.Value.Dataset)))
            .OrderBy(d => d.Value.Order)
            .Select(d => d.Key)
            .ToList();
    }

    /// <summary>
    /// The runtime default pattern, <c>{default}</c>: datasets a run needs that the catalog neither registers nor matches
    /// get the runner's default dataset (<see cref="Runners.AbstractRunner.CreateDefaultDataset"/>, a
    /// <see cref="MemoryDataset"/> for the in-process runners), as Kedro's <c>default_runtime_patterns</c>.
    /// </summary>
    public const string DefaultRuntimePattern = "{default}";

    /// <summary>
    /// The dataset factory patterns, most specific first (a catch-all last), followed by
    /// <see cref="DefaultRuntimePattern"/> unless a factory has that very pattern, as Kedro 1.x's <c>list_patterns()</c>.
    /// </summary>
    /// <returns>The patterns.</returns>
    public IReadOnlyList<string> ListPatterns()
    {
        List<string> patterns;
        lock (_factoryGate)
        {
            patterns = _factories.Select(f => f.Pattern.Pattern).ToList();
        }

        if (!patterns.Contains(DefaultRuntimePattern, StringComparer.Ordinal))
        {
            patterns.Add(DefaultRuntimePattern);
        }

        return patterns;
    }

    /// <summary>Registers a dataset.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="dataset">The dataset.</param>
    /// <exception cref="DatasetAlreadyExistsException">The name is taken.</exception>
    public void Add(string name, IDataset dataset)
    {
        DatasetNames.Validate(name, "the catalog");
        ArgumentNullException.ThrowIfNull(dataset);
        lock (_writeGate)
        {
            if (!_datasets.TryAdd(name, new Entry(dataset, _nextOrder)))
            {
                throw new DatasetAlreadyExistsException(name);
            }

            _nextOrder++;
        }
    }

    /// <summary>
    /// Registers a dataset, replacing any dataset of that name; a replacement is logged as a warning
    /// (<c>Replacing dataset 'NAME'</c>, as Kedro) and moves the name to the end of <see cref="ListDatasets"/>.
    /// </summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="dataset">The dataset.</param>
    public void AddOrReplace(string name, IDataset dataset)
    {
        DatasetNames.Validate(name, "the catalog");
        ArgumentNullException.ThrowIfNull(dataset);
        bool replaced;
        lock (_writeGate)
        {
            replaced = _datasets.ContainsKey(name);
            _datasets[name] = new Entry(dataset, _nextOrder++);
        }

        if (replaced)
        {
            CatalogLog.ReplacingDataset(_logger, name);
        }
    }

    /// <summary>Registers each value in a <see cref="MemoryDataset"/> (Kedro's feed dict), replacing same-named datasets.</summary>
    /// <param name="values">Name → value.</param>
    public void AddValues(IEnumerable<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (name, value) in values)
        {
            AddOrReplace(name, value as IDataset ?? new MemoryDataset(value));
        }
    }

    /// <summary>
    /// Registers parameters as Kedro does: <c>parameters</c> holds them all, <c>params:KEY</c> each top-level value
    /// and <c>params:KEY.SUB</c> each nested value of a dictionary.
    /// </summary>
    /// <param name="parameters">Parameter name → value (dictionaries nest).</param>
    public void AddParameters(IReadOnlyDictionary<string, object?> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        AddOrReplace(DatasetNames.AllParameters, new MemoryDataset(parameters));
        AddNested(DatasetNames.ParameterPrefix, parameters);
    }

    /// <summary>
    /// Adds a dataset factory: names that match <paramref name="pattern"/> and are not registered get a dataset from
    /// <paramref name="factory"/> on first use, which is then registered under that name.
    /// </summary>
    /// <param name="pattern">A pattern such as <c>{name}_csv</c>.</param>
    /// <param name="factory">Makes the dataset from the name and the placeholder values.</param>
    public void AddFactory(string pattern, Func<string, IReadOnlyDictionary<string, string>, IDataset> factory) =>
        AddFactory(pattern, factory, null);

    /// <summary>
    /// Adds a dataset factory (see <see cref="AddFactory(string, Func{string, IReadOnlyDictionary{string, string}, IDataset})"/>)
    /// that says which type of dataset it makes, so <see cref="GetDatasetType"/> can tell a matched name's type without
    /// creating the dataset.
    /// </summary>
    /// <param name="pattern">A pattern such as <c>{name}_csv</c>.</param>
    /// <param name="factory">Makes the dataset from the name and the placeholder values.</param>
    /// <param name="datasetType">
    /// The type name of the datasets it makes, such as <c>PipelineRunner.Catalog.Files.TextDataset</c> or a catalog's
    /// <c>type</c>; it may contain the pattern's placeholders (<c>{kind}</c>), replaced by a name's matched text.
    /// Unknown when <see langword="null"/>.
    /// </param>
    public void AddFactory(string pattern, Func<string, IReadOnlyDictionary<string, string>, IDataset> factory, string? datasetType)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var parsed = new DatasetPattern(pattern);
        lock (_factoryGate)
        {
            _factories.RemoveAll(f => f.Pattern.Pattern == pattern);
            _factories.Add(new Factory(parsed, factory, datasetType));
            _factories.Sort((a, b) => a.Pattern.CompareTo(b.Pattern));
        }
    }

    /// <summary>Whether the name is registered or matches a factory pattern.</summary>
    /// <param name="name">The dataset name.</param>
    /// <returns>Whether the catalog can provide the dataset.</returns>
    public bool Contains(string name) => _datasets.ContainsKey(name) || FindFactory(name) is not null;

    /// <summary>Whether the name is registered (factory patterns not counted).</summary>
    /// <param name="name">The dataset name.</param>
    /// <returns>Whether it is registered.</returns>
    public bool IsRegistered(string name) => _datasets.ContainsKey(name);

    /// <summary>Gets a registered dataset, or creates it from the most specific matching factory pattern.</summary>
    /// <param name="name">The dataset name.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DatasetNotFoundException">The name is neither registered nor matched; the message suggests registered names spelled alike.</exception>
    public IDataset GetDataset(string name) =>
        TryGetDataset(name, out var dataset) ? dataset : throw new DatasetNotFoundException(name, Pipelines.Internal.CloseNames.Find(name, _datasets.Keys));

    /// <summary>Gets a registered dataset, or creates it from the most specific matching factory pattern.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="dataset">The dataset, when found.</param>
    /// <returns>Whether it was found.</returns>
    public bool TryGetDataset(string name, out IDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_datasets.TryGetValue(name, out var entry))
        {
            dataset = entry.Dataset;
            return true;
        }

        var match = FindFactory(name);
        if (match is null)
        {
            dataset = null!;
            return false;
        }

        IDataset created;
        try
        {
            created = match.Value.Factory.Create(name, match.Value.Values);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DatasetException(name, $"Failed to create dataset '{name}' from factory pattern '{match.Value.Factory.Pattern}': {ex.Message}", ex);
        }

        dataset = GetOrAdd(name, created);
        return true;
    }

    /// <summary>
    /// Gets a dataset as <see cref="GetDataset"/> does, and when the name is neither registered nor matched by a factory
    /// pattern, registers and returns the dataset <paramref name="runtimeFactory"/> makes (Kedro's
    /// <c>get(name, fallback_to_runtime_pattern=True)</c>; Kedro's runtime pattern makes a <see cref="MemoryDataset"/>).
    /// </summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="runtimeFactory">Makes the dataset from the name; a new <see cref="MemoryDataset"/> when <see langword="null"/>.</param>
    /// <returns>The dataset, now registered.</returns>
    /// <exception cref="DatasetException">A factory pattern or <paramref name="runtimeFactory"/> failed to create the dataset; the message names it.</exception>
    public IDataset GetOrAddDataset(string name, Func<string, IDataset>? runtimeFactory = null)
    {
        DatasetNames.Validate(name, "the catalog");
        if (TryGetDataset(name, out var dataset))
        {
            return dataset;
        }

        IDataset created;
        try
        {
            created = runtimeFactory is null ? new MemoryDataset() : runtimeFactory(name)
                ?? throw new InvalidOperationException("the runtime factory returned null");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DatasetException(name, $"Failed to create dataset '{name}' from the runtime pattern: {ex.Message}", ex);
        }

        return GetOrAdd(name, created);
    }

    /// <summary>
    /// The type of a dataset without creating it (Kedro's <c>get_type</c>): the full .NET type name of a registered
    /// dataset, else the type the most specific matching factory pattern makes (for catalog configuration, the .NET type
    /// when the entry could be checked as the catalog loaded, otherwise its <c>type</c> with placeholders filled in).
    /// </summary>
    /// <param name="name">The dataset name.</param>
    /// <returns>
    /// The type name, or <see langword="null"/> when the name is neither registered nor matched, or is matched by a factory
    /// added without a type.
    /// </returns>
    public string? GetDatasetType(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_datasets.TryGetValue(name, out var entry))
        {
            return entry.Dataset.GetType().FullName;
        }

        var match = FindFactory(name);
        return match?.Factory.DatasetType is { } type ? match.Value.Factory.Pattern.Resolve(type, match.Value.Values) : null;
    }

    /// <summary>Loads a dataset.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="requestedType">The type wanted; <see cref="object"/> when it does not matter.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The data.</returns>
    /// <exception cref="DatasetNotFoundException">The dataset is not in the catalog.</exception>
    /// <exception cref="DatasetException">The load failed; the message names the dataset and the cause.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ by generic arity (LoadAsync(name, type) vs LoadAsync<T>(name)); a call never binds to both.")]
    public ValueTask<object?> LoadAsync(string name, Type? requestedType = null, CancellationToken cancellationToken = default) =>
        LoadFromAsync(name, GetDataset(name), requestedType ?? typeof(object), cancellationToken);

    /// <summary>Loads a dataset as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type wanted.</typeparam>
    /// <param name="name">The dataset name.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The data.</returns>
    /// <exception cref="DatasetException">The load failed or the data is not a <typeparamref name="T"/>.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Overloads differ by generic arity (LoadAsync(name, type) vs LoadAsync<T>(name)); a call never binds to both.")]
    public async ValueTask<T> LoadAsync<T>(string name, CancellationToken cancellationToken = default)
    {
        var value = await LoadAsync(name, typeof(T), cancellationToken).ConfigureAwait(false);
        if (!Pipelines.Internal.ValueConverter.TryConvert(value, typeof(T), out var converted, out var problem))
        {
            throw new DatasetException(name, $"Dataset '{name}' cannot be loaded as {TypeNames.Describe(typeof(T))}: {problem}.", null);
        }

        return (T)converted!;
    }

    /// <summary>Saves data to a dataset.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when saved.</returns>
    /// <exception cref="DatasetNotFoundException">The dataset is not in the catalog.</exception>
    /// <exception cref="DatasetException">The data is null (as Kedro refuses <c>None</c>), or the save failed; the message names the dataset and the cause.</exception>
    public ValueTask SaveAsync(string name, object? data, CancellationToken cancellationToken = default) =>
        SaveToAsync(name, GetDataset(name), data, cancellationToken);

    /// <summary>Whether the dataset has data; <see langword="false"/> for names the catalog does not know.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether data exists.</returns>
    public async ValueTask<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!TryGetDataset(name, out var dataset))
        {
            return false;
        }

        try
        {
            return await dataset.ExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Wrap("checking existence of", name, dataset, ex);
        }
    }

    /// <summary>Releases a dataset's cached data.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>A task that completes when released.</returns>
    /// <exception cref="DatasetNotFoundException">The name is neither registered nor matched by a factory pattern (as in Kedro).</exception>
    public async ValueTask ReleaseAsync(string name, CancellationToken cancellationToken = default)
    {
        // As Kedro: releasing a name the catalog does not know (nor a pattern matches) is the not-found error.
        var dataset = _datasets.TryGetValue(name, out var registered) ? registered.Dataset : GetDataset(name);

        try
        {
            await dataset.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Wrap("releasing", name, dataset, ex);
        }
    }

    /// <summary>Confirms a dataset (Kedro's <c>confirms</c>).</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="cancellationToken">Cancels the confirmation.</param>
    /// <returns>A task that completes when confirmed.</returns>
    /// <exception cref="DatasetException">The dataset does not support confirmation, or confirming failed.</exception>
    public async ValueTask ConfirmAsync(string name, CancellationToken cancellationToken = default)
    {
        var dataset = GetDataset(name);
        if (dataset is not IConfirmableDataset confirmable)
        {
            throw new DatasetException(name, $"Dataset '{name}' ({dataset.GetType().Name}) does not have a 'confirm' method.", null);
        }

        try
        {
            await confirmable.ConfirmAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Wrap("confirming", name, dataset, ex);
        }
    }

    /// <summary>A new catalog with the same datasets and factories; adding to it does not change this one.</summary>
    /// <returns>The copy.</returns>
    public DataCatalog ShallowCopy() => new(this, 0, _logger);

    /// <summary>A shallow copy with room for <paramref name="additionalCapacity"/> more datasets.</summary>
    /// <remarks>
    /// A run's working copy: a runner puts stand-ins in it (default datasets, a distributed runner's store copies)
    /// without the "Replacing dataset" warning, since nothing the user registered changes.
    /// </remarks>
    internal DataCatalog ShallowCopy(int additionalCapacity) => new(this, additionalCapacity, NullLogger.Instance);

    /// <summary>Loads from a resolved dataset, wrapping failures with its name; no allocation when it completes synchronously.</summary>
    internal static ValueTask<object?> LoadFromAsync(string name, IDataset dataset, Type requestedType, CancellationToken cancellationToken)
    {
        ValueTask<object?> pending;
        try
        {
            pending = dataset.LoadAsync(requestedType, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Wrap("loading data from", name, dataset, ex);
        }

        return pending.IsCompletedSuccessfully ? pending : AwaitLoadAsync(name, dataset, pending);

        static async ValueTask<object?> AwaitLoadAsync(string name, IDataset dataset, ValueTask<object?> pending)
        {
            try
            {
                return await pending.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw Wrap("loading data from", name, dataset, ex);
            }
        }
    }

    /// <summary>Saves to a resolved dataset, wrapping failures with its name; no allocation when it completes synchronously.</summary>
    internal static ValueTask SaveToAsync(string name, IDataset dataset, object? data, CancellationToken cancellationToken)
    {
        if (data is null)
        {
            // As Kedro refuses None: a missing value is a bug upstream, not data.
            throw new DatasetException(name, $"Saving 'null' to dataset '{name}' is not allowed: a node must return a value for each of its outputs.", null);
        }

        ValueTask pending;
        try
        {
            pending = dataset.SaveAsync(data, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Wrap("saving data to", name, dataset, ex);
        }

        return pending.IsCompletedSuccessfully ? pending : AwaitSaveAsync(name, dataset, pending);

        static async ValueTask AwaitSaveAsync(string name, IDataset dataset, ValueTask pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw Wrap("saving data to", name, dataset, ex);
            }
        }
    }

    private static DatasetException Wrap(string action, string name, IDataset dataset, Exception ex)
    {
        var description = string.Join(", ", dataset.Describe().Select(p => $"{p.Key}={p.Value}"));
        return new DatasetException(name, $"Failed while {action} dataset '{name}' ({description}).\n{ex.Message}", ex);
    }

    private IDataset GetOrAdd(string name, IDataset created)
    {
        lock (_writeGate)
        {
            if (_datasets.TryGetValue(name, out var existing))
            {
                return existing.Dataset;
            }

            _datasets[name] = new Entry(created, _nextOrder++);
            return created;
        }
    }

    private (Factory Factory, IReadOnlyDictionary<string, string> Values)? FindFactory(string name)
    {
        lock (_factoryGate)
        {
            foreach (var factory in _factories)
            {
                if (factory.Pattern.TryMatch(name, out var values))
                {
                    return (factory, values);
                }
            }
        }

        return null;
    }

    private void AddNested(string prefix, IReadOnlyDictionary<string, object?> values)
    {
        foreach (var (key, value) in values)
        {
            var name = prefix + key;
            AddOrReplace(name, new MemoryDataset(value));
            switch (value)
            {
                case IReadOnlyDictionary<string, object?> nested:
                    AddNested(name + ".", nested);
                    break;
                case IDictionary dictionary:
                    AddNested(name + ".", dictionary.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => dictionary[k]));
                    break;
            }
        }
    }

    /// <summary>A registered dataset and its place in the catalog's order.</summary>
    private readonly record struct Entry(IDataset Dataset, long Order);

    /// <summary>A dataset factory pattern, what it makes, and the type name of what it makes when known.</summary>
    private sealed record Factory(DatasetPattern Pattern, Func<string, IReadOnlyDictionary<string, string>, IDataset> Create, string? DatasetType);
}
