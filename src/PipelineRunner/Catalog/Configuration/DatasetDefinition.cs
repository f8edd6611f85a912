using PipelineRunner.Catalog.Files;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// One catalog entry, as a <see cref="DatasetTypeRegistry"/> factory receives it: the dataset's name and type, its
/// file path (already resolved against the base directory), its versioning, and the remaining options (such as
/// <c>load_args</c>, <c>save_args</c> or <c>copy_mode</c>) as a plain configuration tree.
/// </summary>
public sealed class DatasetDefinition
{
    /// <summary>The option every dataset type accepts and ignores (Kedro's free-form <c>metadata</c>, used by plugins).</summary>
    public const string MetadataOption = "metadata";

    /// <summary>The option naming a dataset's credentials, which <see cref="EnsureSupportedOptions"/> accepts only when listed.</summary>
    public const string CredentialsOption = "credentials";

    private readonly IReadOnlyDictionary<string, object?>? _credentials;

    /// <summary>Creates a definition.</summary>
    /// <param name="name">The dataset name.</param>
    /// <param name="typeName">The dataset type, as written in the catalog.</param>
    /// <param name="options">The options other than type, file path and versioning; none when <see langword="null"/>.</param>
    public DatasetDefinition(string name, string typeName, IReadOnlyDictionary<string, object?>? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        Name = name;
        TypeName = typeName;
        Options = options is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : ConfigurationTree.NormalizeMapping(options);
    }

    /// <summary>The dataset name.</summary>
    public string Name { get; }

    /// <summary>The dataset type, as written in the catalog (for example <c>pandas.CSVDataset</c>).</summary>
    public string TypeName { get; }

    /// <summary>The file path, absolute when it came from a catalog loaded with a base directory; <see langword="null"/> when not given.</summary>
    public string? FilePath { get; init; }

    /// <summary>Whether the dataset is versioned (<c>versioned: true</c>).</summary>
    public bool Versioned { get; init; }

    /// <summary>The pinned version to load, or <see langword="null"/> for the latest.</summary>
    public string? LoadVersion { get; init; }

    /// <summary>The pinned version to save, or <see langword="null"/> for a new timestamp per save.</summary>
    public string? SaveVersion { get; init; }

    /// <summary>
    /// The other options: <c>Dictionary&lt;string, object?&gt;</c> for mappings, <c>List&lt;object?&gt;</c> for lists,
    /// and <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> or <see langword="null"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Options { get; }

    /// <summary>
    /// The directory relative paths in options (a wrapped dataset's <c>filepath</c>, a partitioned dataset's <c>path</c>)
    /// are resolved against; the current directory when <see langword="null"/>.
    /// </summary>
    public string? BaseDirectory { get; init; }

    /// <summary>
    /// The dataset's credentials (Kedro's <c>credentials</c> argument): the mapping its catalog entry's
    /// <c>credentials: NAME</c> names in the credentials files, or a mapping written in the entry;
    /// <see langword="null"/> when it has none. A dataset type that uses them lists <c>credentials</c> among its
    /// supported options (<see cref="EnsureSupportedOptions"/>). Never shown by <see cref="ToString"/> or in messages.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? Credentials
    {
        get => _credentials;
        init => _credentials = value is null ? null : ConfigurationTree.NormalizeMapping(value);
    }

    /// <summary>The name of the credentials in the credentials files; <see langword="null"/> when none or written in the entry.</summary>
    public string? CredentialsName { get; init; }

    /// <summary>The clock versioned datasets name new versions with.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The <see cref="DatasetVersion"/> for a file dataset: <see langword="null"/> unless <see cref="Versioned"/>.</summary>
    public DatasetVersion? Version => Versioned ? new DatasetVersion(LoadVersion, SaveVersion) : null;

    /// <summary>The file path, which file datasets require.</summary>
    /// <returns>The file path.</returns>
    /// <exception cref="CatalogConfigurationException">No file path was given.</exception>
    public string GetRequiredFilePath() =>
        FilePath ?? throw Error("needs a 'filepath'");

    /// <summary>
    /// An option converted to <typeparamref name="T"/>; <paramref name="key"/> may name a nested option with dots,
    /// such as <c>save_args.indent</c>.
    /// </summary>
    /// <typeparam name="T">The option's type.</typeparam>
    /// <param name="key">The option, with dots between nesting levels.</param>
    /// <param name="defaultValue">The value when the option is absent.</param>
    /// <returns>The value, or <paramref name="defaultValue"/>.</returns>
    /// <exception cref="CatalogConfigurationException">The option cannot be converted to <typeparamref name="T"/>.</exception>
    public T GetOption<T>(string key, T defaultValue)
    {
        if (!TryGetOption(key, out var value))
        {
            return defaultValue;
        }

        return ValueConverter.TryConvert(value, typeof(T), out var converted, out var problem)
            ? (T)converted!
            : throw Error($"has an invalid '{key}': {problem}");
    }

    /// <summary>Whether an option is present (it may be <see langword="null"/>); dots name nested options.</summary>
    /// <param name="key">The option, with dots between nesting levels.</param>
    /// <param name="value">Its value, when present.</param>
    /// <returns>Whether it is present.</returns>
    public bool TryGetOption(string key, out object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        value = null;
        IReadOnlyDictionary<string, object?>? current = Options;
        var parts = key.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            if (current is null || !current.TryGetValue(parts[i], out value))
            {
                value = null;
                return false;
            }

            current = value as IReadOnlyDictionary<string, object?>;
        }

        return true;
    }

    /// <summary>
    /// Fails on options the dataset type does not support, so a typo is never silently ignored. Nested options are
    /// named with dots (<c>load_args.sep</c>); <see cref="MetadataOption"/> is always allowed.
    /// </summary>
    /// <param name="supported">The supported options.</param>
    /// <exception cref="CatalogConfigurationException">An option is not supported; the message lists the supported ones.</exception>
    public void EnsureSupportedOptions(params string[] supported)
    {
        ArgumentNullException.ThrowIfNull(supported);
        var unknown = new List<string>();
        if (Credentials is not null && !supported.Contains(CredentialsOption, StringComparer.Ordinal))
        {
            unknown.Add(CredentialsOption);
        }

        Collect(Options, string.Empty);
        if (unknown.Count > 0)
        {
            throw Error(
                $"has unsupported option(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; supported: {(supported.Length == 0 ? "none" : string.Join(", ", supported))}");
        }

        void Collect(IReadOnlyDictionary<string, object?> options, string prefix)
        {
            foreach (var (key, value) in options)
            {
                var path = prefix + key;
                if (supported.Contains(path, StringComparer.Ordinal) || (prefix.Length == 0 && key == MetadataOption))
                {
                    continue;
                }

                if (value is IReadOnlyDictionary<string, object?> nested && supported.Any(s => s.StartsWith(path + ".", StringComparison.Ordinal)))
                {
                    Collect(nested, path + ".");
                }
                else
                {
                    unknown.Add(path);
                }
            }
        }
    }

    /// <summary>Fails unless the dataset is unversioned and has no file path (for in-memory types).</summary>
    /// <exception cref="CatalogConfigurationException">A file path or versioning was given.</exception>
    public void EnsureNoFile()
    {
        if (FilePath is not null)
        {
            throw Error("does not take a 'filepath'");
        }

        if (Versioned)
        {
            throw Error("does not support versioning");
        }
    }

    /// <summary>An error about this dataset: "Dataset 'name' (type) {problem}.".</summary>
    /// <param name="problem">What is wrong, starting with a verb.</param>
    /// <returns>The exception to throw.</returns>
    public CatalogConfigurationException Error(string problem) => new(Name, $"Dataset '{Name}' ({TypeName}) {problem}.", null);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: type={TypeName}, filepath={FilePath ?? "None"}, versioned={Versioned}, options=[{string.Join(", ", Options.Keys)}]"
        + (Credentials is null ? string.Empty : CredentialsName is null ? ", credentials=(inline, hidden)" : $", credentials='{CredentialsName}' (hidden)");
}
