namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// Builds a <see cref="DataCatalog"/> from configuration shaped like Kedro's <c>catalog.yml</c>: each top-level key is a
/// dataset name mapping to an entry with a <c>type</c> (required), usually a <c>filepath</c>, optionally
/// <c>versioned</c>, and type-specific options such as <c>load_args</c> and <c>save_args</c>.
/// </summary>
/// <remarks>
/// <para>
/// Keys containing <c>{placeholder}</c>s are dataset factory patterns (<see cref="DataCatalog.AddFactory(string, Func{string, IReadOnlyDictionary{string, string}, IDataset}, string?)"/>): a dataset
/// name that matches gets a dataset from the entry with the placeholders in every string value replaced by the
/// matched text. The most specific pattern wins, and a catch-all such as <c>{default}</c> comes last.
/// </para>
/// <para>
/// Keys starting with <c>_</c> are templates for YAML anchors and are skipped; merge keys (<c>&lt;&lt;: *anchor</c>)
/// are applied. Relative file paths are resolved against <see cref="CatalogLoadOptions.BaseDirectory"/>; remote
/// paths (<c>s3://</c> and the like) are not supported. An entry's <c>credentials: NAME</c> is looked up in
/// <see cref="CatalogLoadOptions.Credentials"/> and reaches the dataset type as <see cref="DatasetDefinition.Credentials"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// # conf/base/catalog.yml
/// _csv: &amp;csv
///   type: pandas.CSVDataset
///   load_args: { sep: ";" }
/// companies:
///   &lt;&lt;: *csv
///   filepath: data/01_raw/companies.csv
/// model:
///   type: pickle.PickleDataset
///   filepath: data/06_models/model.msgpack
///   versioned: true
/// "{name}_json":
///   type: json.JSONDataset
///   filepath: data/02_intermediate/{name}.json
/// </code>
/// </example>
public static class CatalogConfiguration
{
    private const string What = "catalog";
    private const string CredentialsKey = "credentials";
    private static readonly string[] ReservedKeys = ["type", "filepath", "versioned", CredentialsKey];

    /// <summary>Builds a catalog from YAML text.</summary>
    /// <param name="yamlText">The catalog YAML.</param>
    /// <param name="options">How to build it; defaults when <see langword="null"/>.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="CatalogConfigurationException">The YAML is invalid (the message gives the line) or an entry is.</exception>
    public static DataCatalog FromYaml(string yamlText, CatalogLoadOptions? options = null) =>
        FromDictionary(Interpolate(ConfigurationTree.ParseYamlMapping(yamlText, "catalog YAML", What), "the catalog YAML", options), options);

    /// <summary>Builds a catalog from JSON text of the same shape as the YAML.</summary>
    /// <param name="jsonText">The catalog JSON.</param>
    /// <param name="options">How to build it; defaults when <see langword="null"/>.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="CatalogConfigurationException">The JSON is invalid (the message gives the line) or an entry is.</exception>
    public static DataCatalog FromJson(string jsonText, CatalogLoadOptions? options = null) =>
        FromDictionary(Interpolate(ConfigurationTree.ParseJsonMapping(jsonText, "catalog JSON", What), "the catalog JSON", options), options);

    /// <summary>Builds a catalog from a <c>.yml</c>, <c>.yaml</c> or <c>.json</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">
    /// How to build it; defaults when <see langword="null"/>. Relative file paths in the catalog are resolved against
    /// <see cref="CatalogLoadOptions.BaseDirectory"/> (the current directory by default), not the file's directory.
    /// </param>
    /// <returns>The catalog.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CatalogConfigurationException">The extension is not supported, or the content is invalid.</exception>
    public static DataCatalog FromFile(string path, CatalogLoadOptions? options = null) =>
        FromDictionary(Interpolate(ConfigurationTree.ReadFile(path, What), $"'{path}'", options), options);

    /// <summary>Builds a catalog from a <c>.yml</c>, <c>.yaml</c> or <c>.json</c> file, reading it asynchronously.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">How to build it (see <see cref="FromFile"/>).</param>
    /// <param name="cancellationToken">Cancels reading the file.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CatalogConfigurationException">The extension is not supported, or the content is invalid.</exception>
    public static async ValueTask<DataCatalog> FromFileAsync(string path, CatalogLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var config = await ConfigurationTree.ReadFileAsync(path, What, cancellationToken).ConfigureAwait(false);
        return FromDictionary(Interpolate(config, $"'{path}'", options), options);
    }

    /// <summary>
    /// Resolves <c>${...}</c> interpolations of catalog text: references to its own keys and
    /// <c>${runtime_params:key}</c> (<see cref="CatalogLoadOptions.RuntimeParameters"/>); without a configuration folder
    /// there are no globals, so <c>${globals:key}</c> needs a default.
    /// </summary>
    private static Dictionary<string, object?> Interpolate(Dictionary<string, object?> config, string source, CatalogLoadOptions? options) =>
        ConfigInterpolation.Resolve(config, new InterpolationScope
        {
            Kind = What,
            Globals = static () => new Dictionary<string, object?>(),
            RuntimeParameters = options?.RuntimeParameters ?? new Dictionary<string, object?>(),
            SourceOf = _ => source,
        });

    /// <summary>
    /// Builds a catalog from configuration already in memory (nested dictionaries and lists), whose interpolations
    /// are already resolved (as <see cref="ConfigLoader.GetCatalogConfiguration"/> returns it).
    /// </summary>
    /// <param name="config">Dataset name or pattern → entry.</param>
    /// <param name="options">How to build it; defaults when <see langword="null"/>.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="CatalogConfigurationException">An entry is invalid; the message names it.</exception>
    public static DataCatalog FromDictionary(IReadOnlyDictionary<string, object?> config, CatalogLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new CatalogLoadOptions();
        var context = new Context(
            Path.GetFullPath(options.BaseDirectory ?? Directory.GetCurrentDirectory()),
            options.Registry ?? DatasetTypeRegistry.CreateDefault(),
            options.TimeProvider ?? TimeProvider.System,
            options.LoadVersions ?? new Dictionary<string, string>(),
            options.SaveVersion,
            options.Credentials ?? new Dictionary<string, object?>(),
            options.LoggerFactory);
        var entries = ConfigurationTree.NormalizeMapping(config);
        CheckOneCatchAll(entries.Keys);
        var catalog = new DataCatalog(options.Logger ?? options.LoggerFactory?.CreateLogger(typeof(DataCatalog).FullName!));
        foreach (var (name, rawEntry) in entries)
        {
            if (name.StartsWith('_'))
            {
                continue;
            }

            if (name == "parameters" || name.StartsWith("params:", StringComparison.Ordinal))
            {
                throw new CatalogConfigurationException(
                    name,
                    $"Catalog entry '{name}' uses a name reserved for parameters; parameters come from parameters files (or --params), not from the catalog.",
                    null);
            }

            if (rawEntry is not Dictionary<string, object?> entry)
            {
                throw new CatalogConfigurationException(
                    name,
                    $"Catalog entry '{name}' must be a mapping with a 'type', not {ConfigurationTree.DescribeValue(rawEntry)}.",
                    null);
            }

            if (DatasetPattern.IsPattern(name))
            {
                AddFactory(catalog, name, entry, context);
            }
            else
            {
                var dataset = Build(CreateDefinition(name, entry, context), context);
                try
                {
                    catalog.Add(name, dataset);
                }
                catch (ArgumentException ex)
                {
                    throw new CatalogConfigurationException(name, $"Catalog entry '{name}' has an invalid name: {ex.Message}", ex);
                }
            }
        }

        var unknown = context.LoadVersions.Keys.Where(name => !catalog.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new CatalogConfigurationException(
                $"'load_versions' names dataset(s) not in the catalog: {string.Join(", ", unknown)}."
                + Pipelines.Internal.CloseNames.DidYouMean(Pipelines.Internal.CloseNames.Find(unknown, catalog.ListDatasets())));
        }

        return catalog;
    }

    /// <summary>As Kedro: at most one pattern made only of placeholders (a catch-all such as <c>{default}</c>) per catalog.</summary>
    private static void CheckOneCatchAll(IEnumerable<string> names)
    {
        var catchAll = new List<DatasetPattern>();
        foreach (var name in names)
        {
            if (name.StartsWith('_') || !DatasetPattern.IsPattern(name))
            {
                continue;
            }

            try
            {
                var pattern = new DatasetPattern(name);
                if (pattern.Specificity == 0)
                {
                    catchAll.Add(pattern);
                }
            }
            catch (ArgumentException)
            {
                // An invalid pattern is reported with its entry.
            }
        }

        if (catchAll.Count > 1)
        {
            catchAll.Sort();
            throw new CatalogConfigurationException(
                $"Multiple catch-all patterns found in the catalog: {string.Join(", ", catchAll)}. Only one catch-all pattern is allowed, remove the extras.");
        }
    }

    private static void AddFactory(DataCatalog catalog, string pattern, Dictionary<string, object?> entry, Context context)
    {
        DatasetPattern parsed;
        try
        {
            parsed = new DatasetPattern(pattern);

            // Resolve once with the placeholders' own names, to report unknown placeholders and types now rather than on first use.
            var probe = (Dictionary<string, object?>)Resolve(entry, parsed, parsed.Placeholders.ToDictionary(p => p, p => p))!;
            var probeDefinition = CreateDefinition(pattern, probe, context);
            var datasetType = GetString(entry, "type");
            if (!DatasetPattern.IsPattern(datasetType ?? string.Empty))
            {
                if (!context.Registry.Contains(probeDefinition.TypeName))
                {
                    throw new CatalogConfigurationException(
                        pattern,
                        $"Dataset '{pattern}' has unknown type '{probeDefinition.TypeName}'. Known types: {string.Join(", ", context.Registry.TypeNames)}.",
                        null);
                }

                // Build one dataset from the probe, so unsupported or invalid options fail when the catalog loads
                // (the error names the pattern) rather than when a run first matches it. Options with placeholders
                // get their real values only on a match, so such entries are checked then.
                if (!entry.Where(p => p.Key is not ("type" or "filepath")).Any(p => HasPlaceholder(p.Value)))
                {
                    datasetType = context.Registry.Create(probeDefinition).GetType().FullName;
                }
            }

            catalog.AddFactory(
                pattern,
                (name, values) => Build(CreateDefinition(name, (Dictionary<string, object?>)Resolve(entry, parsed, values)!, context), context),
                datasetType);
        }
        catch (ArgumentException ex)
        {
            throw new CatalogConfigurationException(pattern, $"Catalog entry '{pattern}' is not a valid dataset factory: {ex.Message}", ex);
        }
    }

    /// <summary>Creates a dataset and lets file datasets log through the options' logger factory.</summary>
    private static IDataset Build(DatasetDefinition definition, Context context)
    {
        var dataset = context.Registry.Create(definition);
        if (context.LoggerFactory is { } loggerFactory && dataset is Files.FileDataset file)
        {
            file.UseLoggerFactory(loggerFactory);
        }

        return dataset;
    }

    private static bool HasPlaceholder(object? value) => value switch
    {
        string text => text.Contains('{', StringComparison.Ordinal),
        Dictionary<string, object?> mapping => mapping.Values.Any(HasPlaceholder),
        List<object?> list => list.Any(HasPlaceholder),
        _ => false,
    };

    private static object? Resolve(object? value, DatasetPattern pattern, IReadOnlyDictionary<string, string> values) => value switch
    {
        string text => pattern.Resolve(text, values),
        Dictionary<string, object?> mapping => mapping.ToDictionary(p => p.Key, p => Resolve(p.Value, pattern, values), StringComparer.Ordinal),
        List<object?> list => list.Select(item => Resolve(item, pattern, values)).ToList(),
        _ => value,
    };

    private static DatasetDefinition CreateDefinition(string name, Dictionary<string, object?> entry, Context context)
    {
        var typeName = GetString(entry, "type");
        if (string.IsNullOrWhiteSpace(typeName))
        {
            throw new CatalogConfigurationException(
                name,
                entry.ContainsKey("type")
                    ? $"Catalog entry '{name}' has an invalid 'type': expected a type name, not {ConfigurationTree.DescribeValue(entry["type"])}."
                    : $"Catalog entry '{name}' is missing the required 'type'.",
                null);
        }

        var filePath = GetString(entry, "filepath");
        if (filePath is null && entry.TryGetValue("filepath", out var rawPath) && rawPath is not null)
        {
            throw new CatalogConfigurationException(
                name,
                $"Catalog entry '{name}' has an invalid 'filepath': expected a string, not {ConfigurationTree.DescribeValue(rawPath)}.",
                null);
        }

        if (filePath is not null)
        {
            if (string.IsNullOrWhiteSpace(filePath))
            {
                throw new CatalogConfigurationException(name, $"Catalog entry '{name}' has an empty 'filepath'.", null);
            }

            if (filePath.Contains("://", StringComparison.Ordinal))
            {
                throw new CatalogConfigurationException(
                    name,
                    $"Catalog entry '{name}' has the remote 'filepath' '{filePath}'; only local files are supported.",
                    null);
            }

            filePath = Path.GetFullPath(filePath, context.BaseDirectory);
        }

        var versioned = entry.TryGetValue("versioned", out var rawVersioned) ? rawVersioned : false;
        if (rawVersioned is not (null or bool))
        {
            throw new CatalogConfigurationException(
                name,
                $"Catalog entry '{name}' has an invalid 'versioned': expected true or false, not {ConfigurationTree.DescribeValue(rawVersioned)}.",
                null);
        }

        var (credentialsName, credentials) = ResolveCredentials(name, entry, context);
        return new DatasetDefinition(name, typeName, entry.Where(p => !ReservedKeys.Contains(p.Key)).ToDictionary(StringComparer.Ordinal))
        {
            CredentialsName = credentialsName,
            Credentials = credentials,
            FilePath = filePath,
            Versioned = versioned is true,
            LoadVersion = context.LoadVersions.GetValueOrDefault(name),
            SaveVersion = context.SaveVersion,
            TimeProvider = context.TimeProvider,
            BaseDirectory = context.BaseDirectory,
        };
    }

    /// <summary>
    /// An entry's <c>credentials</c>: a name looked up in the credentials (Kedro's <c>credentials: NAME</c>) or a mapping
    /// written in the entry. Messages name credentials, never their values.
    /// </summary>
    private static (string? Name, IReadOnlyDictionary<string, object?>? Values) ResolveCredentials(string dataset, Dictionary<string, object?> entry, Context context)
    {
        if (!entry.TryGetValue(CredentialsKey, out var raw) || raw is null)
        {
            return (null, null);
        }

        switch (raw)
        {
            case string credentialsName:
                if (!context.Credentials.TryGetValue(credentialsName, out var found))
                {
                    throw new CatalogConfigurationException(
                        dataset,
                        $"Unable to find credentials '{credentialsName}' for dataset '{dataset}': no credentials file defines it; check your data catalog and credentials configuration."
                        + Pipelines.Internal.CloseNames.DidYouMean(Pipelines.Internal.CloseNames.Find(credentialsName, context.Credentials.Keys)),
                        null);
                }

                return found is IReadOnlyDictionary<string, object?> values
                    ? (credentialsName, values)
                    : throw new CatalogConfigurationException(
                        dataset,
                        $"Credentials '{credentialsName}' used by dataset '{dataset}' must be a mapping of keys to values (such as con: ..., or key: and secret:).",
                        null);
            case Dictionary<string, object?> inline:
                return (null, inline);
            default:
                throw new CatalogConfigurationException(
                    dataset,
                    $"Catalog entry '{dataset}' has an invalid 'credentials': expected the name of credentials in a credentials file, or a mapping.",
                    null);
        }
    }

    private static string? GetString(Dictionary<string, object?> entry, string key) =>
        entry.TryGetValue(key, out var value) ? value as string : null;

    private sealed record Context(
        string BaseDirectory,
        DatasetTypeRegistry Registry,
        TimeProvider TimeProvider,
        IReadOnlyDictionary<string, string> LoadVersions,
        string? SaveVersion,
        IReadOnlyDictionary<string, object?> Credentials,
        Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory);
}
