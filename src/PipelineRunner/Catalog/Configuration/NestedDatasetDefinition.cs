namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// Reads the <c>dataset</c> option of a wrapping entry (<c>CachedDataset</c>, <c>PartitionedDataset</c>): the wrapped
/// dataset's type and options, to be created through the registry like any catalog entry.
/// </summary>
internal sealed class NestedDatasetDefinition
{
    private const string Option = "dataset";

    private NestedDatasetDefinition(DatasetDefinition outer, string typeName, Dictionary<string, object?> options)
    {
        Outer = outer;
        TypeName = typeName;
        Options = options;
    }

    /// <summary>The wrapping entry.</summary>
    public DatasetDefinition Outer { get; }

    /// <summary>The wrapped dataset's type, as written.</summary>
    public string TypeName { get; }

    /// <summary>The wrapped dataset's options (its <c>type</c> removed).</summary>
    public Dictionary<string, object?> Options { get; }

    /// <summary>Reads the <c>dataset</c> option: a mapping with a <c>type</c>, or, when allowed, just a type name.</summary>
    /// <exception cref="CatalogConfigurationException">The option is missing or malformed; the message names the dataset.</exception>
    public static NestedDatasetDefinition Read(DatasetDefinition outer, bool allowTypeName)
    {
        var expected = allowTypeName ? "a type name or a mapping with a 'type'" : "a mapping with the wrapped dataset's 'type'";
        if (!outer.TryGetOption(Option, out var value) || value is null)
        {
            throw outer.Error($"needs a '{Option}': {expected}");
        }

        if (value is string typeName && allowTypeName && !string.IsNullOrWhiteSpace(typeName))
        {
            return new NestedDatasetDefinition(outer, typeName, new Dictionary<string, object?>(StringComparer.Ordinal));
        }

        if (value is not IReadOnlyDictionary<string, object?> mapping)
        {
            throw outer.Error($"has an invalid '{Option}': expected {expected}, not {ConfigurationTree.DescribeValue(value)}");
        }

        if (!mapping.TryGetValue("type", out var type) || type is not string innerType || string.IsNullOrWhiteSpace(innerType))
        {
            throw outer.Error($"has a '{Option}' without a 'type': expected {expected}");
        }

        var options = mapping.Where(p => p.Key != "type").ToDictionary(StringComparer.Ordinal);
        return new NestedDatasetDefinition(outer, innerType, options);
    }

    /// <summary>Fails when the wrapped entry has <paramref name="key"/>, with <paramref name="problem"/> as the reason.</summary>
    public void Forbid(string key, string problem)
    {
        if (Options.ContainsKey(key))
        {
            throw Outer.Error(problem);
        }
    }

    /// <summary>A path option resolved against the catalog's base directory, like <c>filepath</c>.</summary>
    /// <exception cref="CatalogConfigurationException">It is not a non-empty local path.</exception>
    public static string ResolvePath(DatasetDefinition outer, string option, object? value)
    {
        if (value is not string path || string.IsNullOrWhiteSpace(path))
        {
            throw outer.Error($"has an invalid '{option}': expected a path, not {ConfigurationTree.DescribeValue(value)}");
        }

        if (path.Contains("://", StringComparison.Ordinal))
        {
            throw outer.Error($"has the remote '{option}' '{path}'; only local paths are supported");
        }

        return Path.GetFullPath(path, outer.BaseDirectory ?? Directory.GetCurrentDirectory());
    }

    /// <summary>The wrapped dataset's definition, with its file path and versions as given.</summary>
    public DatasetDefinition CreateDefinition(string? filePath, bool versioned) =>
        new(Outer.Name, TypeName, Options.Where(p => p.Key is not ("filepath" or "versioned")).ToDictionary(StringComparer.Ordinal))
        {
            FilePath = filePath,
            Versioned = versioned,
            LoadVersion = versioned ? Outer.LoadVersion : null,
            SaveVersion = versioned ? Outer.SaveVersion : null,
            TimeProvider = Outer.TimeProvider,
            BaseDirectory = Outer.BaseDirectory,
        };
}
