using System.Diagnostics.CodeAnalysis;
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
    /// <c>CsvDataset</c>, <c>pandas.CSVDataset</c>: <c>delimiter</c> or <c>load_args.sep</c>/<c>save_args.sep</c>
    /// (also <c>.delimiter</c>); <c>has_header</c> or <c>load_args.header</c> (<c>null</c> for none, <c>0</c> or
    /// <c>infer</c> for a header)/<c>save_args.header</c> (bool); <c>save_args.index</c> must be false when given.
    /// </item>
    /// <item><c>MessagePackDataset</c>, <c>pickle.PickleDataset</c>: no options.</item>
    /// <item><c>ParquetDataset</c>, <c>pandas.ParquetDataset</c>: no options.</item>
    /// </list>
    /// File datasets need a <c>filepath</c> and accept <c>versioned</c>; <c>metadata</c> is accepted and ignored everywhere.
    /// </summary>
    /// <returns>A new registry, which can be extended with <see cref="Register"/>.</returns>
    public static DatasetTypeRegistry CreateDefault()
    {
        var registry = new DatasetTypeRegistry();
        registry.RegisterWithAlias(nameof(MemoryDataset), CreateMemory, "io.MemoryDataset");
        registry.RegisterWithAlias(nameof(TextDataset), CreateText, "text.TextDataset");
        registry.RegisterWithAlias(nameof(JsonDataset), CreateJson, "json.JSONDataset");
        registry.RegisterWithAlias(nameof(CsvDataset), CreateCsv, "pandas.CSVDataset");
        registry.RegisterWithAlias(nameof(MessagePackDataset), CreateMessagePack, "pickle.PickleDataset");
        registry.RegisterWithAlias(nameof(ParquetDataset), CreateParquet, "pandas.ParquetDataset");
        return registry;
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
            throw new CatalogConfigurationException(
                definition.Name,
                $"Dataset '{definition.Name}' has unknown type '{definition.TypeName}'. Known types: {string.Join(", ", TypeNames)}.",
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

    private void RegisterWithAlias(string typeName, Func<DatasetDefinition, IDataset> factory, string alias)
    {
        Register(typeName, factory);
        Register(alias, factory);
    }

    private static MemoryDataset CreateMemory(DatasetDefinition definition)
    {
        definition.EnsureNoFile();
        definition.EnsureSupportedOptions("data", "copy_mode");
        var copyModeText = definition.GetOption<string?>("copy_mode", null);
        var copyMode = MemoryCopyMode.Assign;
        if (copyModeText is not null && !Enum.TryParse(copyModeText.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out copyMode))
        {
            throw definition.Error($"has an invalid 'copy_mode' '{copyModeText}'; expected assign, copy or deepcopy");
        }

        return definition.TryGetOption("data", out var data) ? new MemoryDataset(data, copyMode) : new MemoryDataset(copyMode);
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

    private static CsvDataset CreateCsv(DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions(
            "delimiter", "has_header", "load_args.sep", "load_args.delimiter", "load_args.header",
            "save_args.sep", "save_args.delimiter", "save_args.header", "save_args.index");
        if (definition.GetOption("save_args.index", false))
        {
            throw definition.Error("does not support 'save_args.index: true': records have no index column");
        }

        // CsvDataset reads and writes with one delimiter and one header setting, so the options given must agree.
        var delimiters = new[] { "delimiter", "load_args.sep", "load_args.delimiter", "save_args.sep", "save_args.delimiter" }
            .Select(key => (Key: key, Value: definition.GetOption<string?>(key, null)))
            .Where(option => option.Value is not null)
            .ToList();
        if (delimiters.Select(option => option.Value).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw definition.Error(
                $"has conflicting delimiters ({string.Join(", ", delimiters.Select(option => $"{option.Key} '{option.Value}'"))}); it reads and writes with one delimiter");
        }

        var delimiterText = delimiters.FirstOrDefault().Value ?? ",";
        if (delimiterText.Length != 1)
        {
            throw definition.Error($"has an invalid delimiter '{delimiterText}': it must be a single character");
        }

        bool hasHeader;
        if (definition.TryGetOption("has_header", out _))
        {
            hasHeader = definition.GetOption("has_header", true);
        }
        else if (definition.TryGetOption("load_args.header", out var header))
        {
            hasHeader = header switch
            {
                null or false => false,
                true or 0L => true,
                string text when text.Equals("infer", StringComparison.OrdinalIgnoreCase) => true,
                _ => throw definition.Error($"has an unsupported 'load_args.header' {ConfigurationTree.DescribeValue(header)}; use null, 0, 'infer' or a boolean"),
            };
            if (definition.TryGetOption("save_args.header", out _) && definition.GetOption("save_args.header", true) != hasHeader)
            {
                throw definition.Error("has conflicting options 'load_args.header' and 'save_args.header'; it reads and writes with one header setting");
            }
        }
        else
        {
            hasHeader = definition.GetOption("save_args.header", true);
        }

        return new CsvDataset(definition.GetRequiredFilePath(), delimiterText[0], hasHeader, definition.Version, definition.TimeProvider);
    }

    private static MessagePackDataset CreateMessagePack(DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions();
        return new MessagePackDataset(definition.GetRequiredFilePath(), definition.Version, definition.TimeProvider);
    }

    private static ParquetDataset CreateParquet(DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions();
        return new ParquetDataset(definition.GetRequiredFilePath(), null, definition.Version, definition.TimeProvider);
    }
}
