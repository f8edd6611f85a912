using System.Collections;
using System.Collections.Concurrent;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Catalog;

/// <summary>
/// The registry of named datasets a run loads from and saves to, plus dataset factory patterns that create datasets
/// for matching names on first use. Thread-safe. Errors name the dataset and wrap the cause.
/// </summary>
public sealed class DataCatalog
{
    private readonly ConcurrentDictionary<string, IDataset> _datasets;
    private readonly List<(DatasetPattern Pattern, Func<string, IReadOnlyDictionary<string, string>, IDataset> Factory)> _factories;
    private readonly Lock _factoryGate = new();

    /// <summary>Creates an empty catalog.</summary>
    public DataCatalog()
    {
        _datasets = new(StringComparer.Ordinal);
        _factories = [];
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

    private DataCatalog(DataCatalog source, int additionalCapacity)
    {
        _datasets = new(Environment.ProcessorCount, source._datasets.Count + additionalCapacity, StringComparer.Ordinal);
        foreach (var (name, dataset) in source._datasets)
        {
            _datasets[name] = dataset;
        }

        lock (source._factoryGate)
        {
            _factories = [.. source._factories];
        }
    }

    /// <summary>The registered dataset names (not counting unresolved factory patterns), sorted.</summary>
    /// <returns>The names.</returns>
    public IReadOnlyList<string> ListDatasets() => _datasets.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The registered dataset names that match <paramref name="namePattern"/> (a regular expression, searched as Kedro's
    /// <c>name_regex</c>) and whose dataset is a <paramref name="datasetType"/> (Kedro's <c>by_type</c>), sorted.
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
            .Where(d => (regex is null || regex.IsMatch(d.Key)) && (datasetType is null || datasetType.IsInstanceOfType(d.Value)))
            .Select(d => d.Key)
            .Order(StringComparer.Ordinal)
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
        if (!_datasets.TryAdd(name, dataset))
        {
            throw new DatasetAlreadyExistsException(name);
        }
    }

    /// <summary>Registers a dataset, replacing any dataset of that name.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="dataset">The dataset.</param>
    public void AddOrReplace(string name, IDataset dataset)
    {
        DatasetNames.Validate(name, "the catalog");
        ArgumentNullException.ThrowIfNull(dataset);
        _datasets[name] = dataset;
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
    public void AddFactory(string pattern, Func<string, IReadOnlyDictionary<string, string>, IDataset> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var parsed = new DatasetPattern(pattern);
        lock (_factoryGate)
        {
            _factories.RemoveAll(f => f.Pattern.Pattern == pattern);
            _factories.Add((parsed, factory));
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
        if (_datasets.TryGetValue(name, out dataset!))
        {
            return true;
        }

        var factory = FindFactory(name);
        if (factory is null)
        {
            return false;
        }

        IDataset created;
        try
        {
            created = factory.Value.Factory(name, factory.Value.Values);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DatasetException(name, $"Failed to create dataset '{name}' from factory pattern '{factory.Value.Pattern}': {ex.Message}", ex);
        }

        dataset = _datasets.GetOrAdd(name, created);
        return true;
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
            throw new DatasetException(name, $"Dataset '{name}' cannot be loaded as {Pipelines.Internal.ValueConverter.Describe(typeof(T))}: {problem}.", null);
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
        var dataset = _datasets.TryGetValue(name, out var registered) ? registered : GetDataset(name);

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
    public DataCatalog ShallowCopy() => new(this, 0);

    /// <summary>A shallow copy with room for <paramref name="additionalCapacity"/> more datasets.</summary>
    internal DataCatalog ShallowCopy(int additionalCapacity) => new(this, additionalCapacity);

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

    private (DatasetPattern Pattern, IReadOnlyDictionary<string, string> Values, Func<string, IReadOnlyDictionary<string, string>, IDataset> Factory)? FindFactory(string name)
    {
        lock (_factoryGate)
        {
            foreach (var (pattern, factory) in _factories)
            {
                if (pattern.TryMatch(name, out var values))
                {
                    return (pattern, values, factory);
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
}
