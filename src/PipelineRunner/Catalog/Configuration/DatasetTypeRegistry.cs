using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using PipelineRunner.Catalog.Files;

namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// Maps the <c>type</c> names of catalog entries to factories that create datasets from a
/// <see cref="DatasetDefinition"/>. Type names are case-insensitive, and a leading <c>kedro_datasets.</c> or
/// <c>kedro.</c> is ignored, so Kedro catalogs can be used as they are.
/// </summary>
/// <example>
/// Adding a dataset type of your own:
/// <code>
/// var registry = DatasetTypeRegistry.CreateDefault();
/// registry.Register("SqlTableDataset", definition =>
/// {
///     // credentials: db in the catalog entry, db: { con: ... } in conf/local/credentials.yml
///     definition.EnsureSupportedOptions("table", "load_args.query", DatasetDefinition.CredentialsOption);
///     var connection = definition.Credentials?["con"] as string
///         ?? throw definition.Error("needs credentials with a 'con' connection string");
///     return new SqlTableDataset(definition.GetOption&lt;string&gt;("table", definition.Name), connection);
/// });
/// var catalog = CatalogConfiguration.FromFile("conf/base/catalog.yml", new CatalogLoadOptions { Registry = registry });
/// </code>
/// </example>
public sealed class DatasetTypeRegistry
{
    private static readonly ConditionalWeakTable<IDataset, DatasetDefinition> Definitions = new();

    private static readonly string[] IgnoredPrefixes = ["kedro_datasets.", "kedro."];

    /// <summary>The package of file formats that need third-party libraries; its types join the defaults when the app references it.</summary>
    private const string CompanionAssembly = "PipelineRunner.Datasets";

    /// <summary>The companion package's type names, to say where an unknown one is.</summary>
    private static readonly HashSet<string> CompanionTypeNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CsvDataset", "pandas.CSVDataset", "ParquetDataset", "pandas.ParquetDataset", "MessagePackDataset", "pickle.PickleDataset",
    };

    private static readonly Lazy<IReadOnlyList<IDatasetTypeProvider>> CompanionProviders = new(LoadCompanionProviders, LazyThreadSafetyMode.PublicationOnly);

    private readonly Dictionary<string, Func<DatasetDefinition, IDataset>> _factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    /// <summary>The registered type names, sorted.</summary>
    public IReadOnlyList<string> TypeNames
    {
        get
        {
            lock (_gate)
            {
                return _factories.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();
            }
        }
    }

    /// <summary>
    /// A registry of the built-in types and their Kedro aliases:
    /// <list type="bullet">
    /// <item><c>MemoryDataset</c>, <c>io.MemoryDataset</c>: options <c>data</c>, <c>copy_mode</c> (<c>assign</c>, <c>copy</c>, <c>deepcopy</c>).</item>
    /// <item><c>TextDataset</c>, <c>text.TextDataset</c>: no options.</item>
    /// <item><c>JsonDataset</c>, <c>json.JSONDataset</c>: <c>indented</c> (bool) or <c>save_args.indent</c> (a positive number indents).</item>
    /// <item>
    /// <c>CachedDataset</c>, <c>io.CachedDataset</c> (so <c>kedro.io.CachedDataset</c>): <c>dataset</c> (the wrapped
    /// entry: a mapping with its <c>type</c>, created through this registry), <c>copy_mode</c> of the cache;
    /// <c>versioned</c> is given on the wrapper and passed to the wrapped dataset.
    /// </item>
    /// <item>
    /// <c>PartitionedDataset</c>, <c>partitions.PartitionedDataset</c>: <c>path</c> (the folder, required),
    /// <c>dataset</c> (the partitions' type name, or a mapping with its <c>type</c> and options but no <c>filepath</c>),
    /// <c>filename_suffix</c>, <c>overwrite</c> (bool); no versioning.
    /// </item>
    /// </list>
    /// plus the types of the <c>PipelineRunner.Datasets</c> package when the app references it (CSV, Parquet and
    /// MessagePack files, whose libraries the core does not carry; as Kedro keeps formats in kedro-datasets): the
    /// package's <see cref="DatasetTypeProviderAttribute"/> names what it registers.
    /// File datasets need a <c>filepath</c> and accept <c>versioned</c>; <c>metadata</c> is accepted and ignored everywhere.
    /// </summary>
    /// <returns>A new registry, which can be extended with <see cref="Register"/>.</returns>
    public static DatasetTypeRegistry CreateDefault()
    {
        var registry = new DatasetTypeRegistry();
        registry.RegisterWithAlias(nameof(MemoryDataset), CreateMemory, "io.MemoryDataset");
        registry.RegisterWithAlias(nameof(CachedDataset), definition => CreateCached(registry, definition), "io.CachedDataset");
        registry.RegisterWithAlias(nameof(PartitionedDataset), definition => CreatePartitioned(registry, definition), "partitions.PartitionedDataset");
        registry.RegisterWithAlias(nameof(TextDataset), CreateText, "text.TextDataset");
        registry.RegisterWithAlias(nameof(JsonDataset), CreateJson, "json.JSONDataset");
        foreach (var provider in CompanionProviders.Value)
        {
            provider.Register(registry);
        }

        return registry;
    }

    /// <summary>
    /// Registers a dataset type under its name and a Kedro alias (e.g. <c>CsvDataset</c> and <c>pandas.CSVDataset</c>),
    /// replacing any type of those names.
    /// </summary>
    /// <param name="typeName">The type's name.</param>
    /// <param name="factory">Creates a dataset from a catalog entry.</param>
    /// <param name="alias">The name a Kedro catalog uses for it.</param>
    public void RegisterWithAlias(string typeName, Func<DatasetDefinition, IDataset> factory, string alias)
    {
        Register(typeName, factory);
        Register(alias, factory);
    }

    /// <summary>
    /// Registers a dataset type, replacing any type of that name. The factory gets each catalog entry of that type as
    /// a <see cref="DatasetDefinition"/>; it should reject options it does not understand
    /// (<see cref="DatasetDefinition.EnsureSupportedOptions"/>) and use <see cref="DatasetDefinition.GetRequiredFilePath"/>,
    /// <see cref="DatasetDefinition.Version"/> and <see cref="DatasetDefinition.TimeProvider"/> for file datasets, and
    /// <see cref="DatasetDefinition.Credentials"/> for an entry's <c>credentials</c> (listing
    /// <see cref="DatasetDefinition.CredentialsOption"/> among the supported options).
    /// Exceptions it throws are reported with the dataset's name. Factories should only validate and construct, never
    /// open files or connections: a dataset-factory entry (<c>"{name}_csv"</c>) is built once when the catalog loads,
    /// with each placeholder standing for itself (<c>data/name.csv</c>), to report bad options early.
    /// </summary>
    /// <param name="typeName">The type name used in catalogs, matched ignoring case.</param>
    /// <param name="factory">Creates the dataset.</param>
    public void Register(string typeName, Func<DatasetDefinition, IDataset> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentNullException.ThrowIfNull(factory);
        lock (_gate)
        {
            _factories[typeName.Trim()] = factory;
        }
    }

    /// <summary>Whether a type name is registered (ignoring case and a leading <c>kedro_datasets.</c> or <c>kedro.</c>).</summary>
    /// <param name="typeName">The type name.</param>
    /// <returns>Whether it is known.</returns>
    public bool Contains(string typeName) => TryGetFactory(typeName, out _);

    /// <summary>Finds the factory of a type name (ignoring case and a leading <c>kedro_datasets.</c> or <c>kedro.</c>).</summary>
    /// <param name="typeName">The type name.</param>
    /// <param name="factory">The factory, when found.</param>
    /// <returns>Whether it was found.</returns>
    public bool TryGetFactory(string typeName, out Func<DatasetDefinition, IDataset> factory)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        var name = typeName.Trim();
        lock (_gate)
        {
            if (_factories.TryGetValue(name, out factory!))
            {
                return true;
            }

            foreach (var prefix in IgnoredPrefixes)
            {
                if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && _factories.TryGetValue(name[prefix.Length..], out factory!))
                {
                    return true;
                }
            }
        }

        factory = null!;
        return false;
    }

    /// <summary>
    /// The definition a dataset was created from by a registry, if it was. Distributed runners send definitions, not
    /// live objects, to workers, which build their own datasets from them.
    /// </summary>
    /// <param name="dataset">A dataset.</param>
    /// <param name="definition">Its definition, when it came from configuration.</param>
    /// <returns>Whether the dataset has a definition.</returns>
    public static bool TryGetDefinition(IDataset dataset, [NotNullWhen(true)] out DatasetDefinition? definition) =>
        Definitions.TryGetValue(dataset, out definition);


    /// <summary>Creates the dataset a definition describes.</summary>
    /// <param name="definition">The catalog entry.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="CatalogConfigurationException">
    /// The type is unknown (the message lists the known types), or the factory failed (the message names the dataset).
    /// </exception>
    public IDataset Create(DatasetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!TryGetFactory(definition.TypeName, out var factory))
        {
            var package = CompanionTypeNames.Contains(StripIgnoredPrefix(definition.TypeName.Trim()))
                ? $" It is in the {CompanionAssembly} package: add a reference to it (dotnet add package {CompanionAssembly})."
                : string.Empty;
            throw new CatalogConfigurationException(
                definition.Name,
                $"Dataset '{definition.Name}' has unknown type '{definition.TypeName}'.{package} Known types: {string.Join(", ", TypeNames)}.",
                null);
        }

        try
        {
            var dataset = factory(definition)
                ?? throw definition.Error("could not be created: the factory returned null");
            Definitions.AddOrUpdate(dataset, definition);
            return dataset;
        }
        catch (CatalogConfigurationException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new CatalogConfigurationException(definition.Name, $"Dataset '{definition.Name}' ({definition.TypeName}) could not be created: {ex.Message}", ex);
        }
    }

    private static MemoryDataset CreateMemory(DatasetDefinition definition)
    {
        definition.EnsureNoFile();
        definition.EnsureSupportedOptions("data", "copy_mode");
        var copyMode = ParseCopyMode(definition);
        return definition.TryGetOption("data", out var data) ? new MemoryDataset(data, copyMode) : new MemoryDataset(copyMode);
    }

    private static CachedDataset CreateCached(DatasetTypeRegistry registry, DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions("dataset", "copy_mode");
        if (definition.FilePath is not null)
        {
            throw definition.Error("does not take a 'filepath'; give it to the wrapped dataset under 'dataset'");
        }

        var wrapped = NestedDatasetDefinition.Read(definition, allowTypeName: false);
        wrapped.Forbid("versioned", "has 'versioned' in its wrapped 'dataset': cached datasets should specify that they are versioned in the 'CachedDataset', not in the wrapped dataset");
        var filePath = wrapped.Options.TryGetValue("filepath", out var rawPath) ? NestedDatasetDefinition.ResolvePath(definition, "dataset.filepath", rawPath) : null;
        var inner = registry.Create(wrapped.CreateDefinition(filePath, definition.Versioned));
        return new CachedDataset(inner, ParseCopyMode(definition));
    }

    private static PartitionedDataset CreatePartitioned(DatasetTypeRegistry registry, DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions("path", "dataset", "filename_suffix", "overwrite");
        if (definition.FilePath is not null)
        {
            throw definition.Error("takes a 'path' (the folder of the partitions), not a 'filepath'");
        }

        if (definition.Versioned)
        {
            throw definition.Error("does not support versioning");
        }

        definition.TryGetOption("path", out var rawPath);
        if (rawPath is null)
        {
            throw definition.Error("needs a 'path': the folder of the partitions");
        }

        var folder = NestedDatasetDefinition.ResolvePath(definition, "path", rawPath);
        var partitions = NestedDatasetDefinition.Read(definition, allowTypeName: true);
        partitions.Forbid("filepath", "has a 'filepath' in its 'dataset': each partition's file path is the folder's 'path', the partition id and 'filename_suffix'");
        partitions.Forbid("versioned", "has 'versioned' in its 'dataset': versioned partitions are not supported");
        var suffix = definition.GetOption("filename_suffix", string.Empty) ?? string.Empty;

        // One partition's dataset, built now, reports the partitions' unknown type or bad options when the catalog loads.
        registry.Create(partitions.CreateDefinition(Path.Combine(folder, "partition" + suffix), versioned: false));
        return new PartitionedDataset(folder, file => registry.Create(partitions.CreateDefinition(file, versioned: false)))
        {
            FilenameSuffix = suffix,
            Overwrite = definition.GetOption("overwrite", false),
        };
    }

    private static MemoryCopyMode ParseCopyMode(DatasetDefinition definition)
    {
        var copyModeText = definition.GetOption<string?>("copy_mode", null);
        var copyMode = MemoryCopyMode.Assign;
        if (copyModeText is not null && !Enum.TryParse(copyModeText.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out copyMode))
        {
            throw definition.Error($"has an invalid 'copy_mode' '{copyModeText}'; expected assign, copy or deepcopy");
        }

        return copyMode;
    }

    private static TextDataset CreateText(DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions();
        return new TextDataset(definition.GetRequiredFilePath(), definition.Version, definition.TimeProvider);
    }

    private static JsonDataset CreateJson(DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions("indented", "save_args.indent");
        var indent = definition.GetOption<long?>("save_args.indent", null);
        var indented = definition.GetOption("indented", indent is > 0);
        if (indent is not null && indented != indent > 0)
        {
            throw definition.Error($"has conflicting options 'indented: {(indented ? "true" : "false")}' and 'save_args.indent: {indent}'; give one of them");
        }

        return new JsonDataset(definition.GetRequiredFilePath(), indented, null, definition.Version, definition.TimeProvider);
    }


    private static string StripIgnoredPrefix(string typeName)
    {
        foreach (var prefix in IgnoredPrefixes)
        {
            if (typeName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return typeName[prefix.Length..];
            }
        }

        return typeName;
    }

    /// <summary>The companion package's providers, or none when the app does not reference it.</summary>
    private static IReadOnlyList<IDatasetTypeProvider> LoadCompanionProviders()
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(CompanionAssembly));
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (Exception ex) when (ex is FileLoadException or BadImageFormatException)
        {
            throw new CatalogConfigurationException($"The {CompanionAssembly} package is referenced but cannot be loaded ({ex.Message}); use the same version as PipelineRunner.", ex);
        }

        return assembly.GetCustomAttributes<DatasetTypeProviderAttribute>()
            .Select(attribute => Activator.CreateInstance(attribute.ProviderType) as IDatasetTypeProvider
                ?? throw new CatalogConfigurationException($"{attribute.ProviderType.FullName} in {CompanionAssembly} is not an {nameof(IDatasetTypeProvider)}."))
            .ToList();
    }
}
