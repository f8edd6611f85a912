using System.Globalization;

namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// Loads a project's catalog and parameters the way Kedro's config loader does: from a configuration folder
/// (<c>conf</c>) holding a base environment (<c>conf/base</c>) and a run environment (<c>conf/local</c> by default) whose
/// entries override the base's.
/// </summary>
/// <remarks>
/// <para>
/// In each environment folder, catalog entries come from every <c>.yml</c>, <c>.yaml</c> or <c>.json</c> file named
/// <c>catalog*</c> or inside a folder named <c>catalog*</c>, at any depth; parameters likewise from <c>parameters*</c>.
/// One environment may not define the same top-level key in two files (the error names both files). A run
/// environment replaces the base's top-level catalog entries; parameters merge as
/// <see cref="ConfigLoaderOptions.ParameterMergeStrategy"/> says. Runtime parameters (<c>--params</c>) merge last.
/// Credentials come from <c>credentials*</c> and globals from <c>globals*</c> in the same way; a run environment
/// replaces the base's top-level credentials and globals.
/// </para>
/// <para>
/// Values may use OmegaConf interpolation as Kedro's <c>OmegaConfigLoader</c> resolves it, within one environment's
/// files of one kind: <c>${a.b}</c> (another key, <c>_</c>-prefixed template keys included; <c>${.b}</c> relative to
/// the containing mapping), <c>${globals:key}</c>, <c>${runtime_params:key}</c> (from
/// <see cref="ConfigLoaderOptions.RuntimeParameters"/>), and in credentials only <c>${oc.env:VAR}</c>; the last three
/// take a default after a comma (<c>${globals:bucket, data}</c>). A value that is one interpolation keeps the
/// referenced value's type; interpolations inside a longer string become text; <c>\${</c> is a literal <c>${</c>.
/// Parameters see runtime parameters when resolving references. Globals cannot use globals or runtime parameters.
/// </para>
/// <para>A missing base folder is an error; a missing run environment folder is an error unless it is the default, <c>local</c>.</para>
/// </remarks>
public sealed class ConfigLoader
{
    /// <summary>The default run environment, <c>local</c>.</summary>
    public const string DefaultEnvironment = "local";

    private const string CredentialsKind = "credentials";
    private const string GlobalsKind = "globals";

    private static readonly string[] Extensions = [".yml", ".yaml", ".json"];

    private readonly HashSet<string> _runtimeParameterReferences = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, object?>? _globals;

    private readonly ConfigLoaderOptions _options;
    private readonly string _source;

    /// <summary>Creates a loader for <see cref="ConfigLoaderOptions.ConfigurationSource"/>.</summary>
    /// <param name="options">Where the configuration is and which environment to use.</param>
    /// <exception cref="CatalogConfigurationException">The configuration folder or its environments do not exist.</exception>
    public ConfigLoader(ConfigLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.ConfigurationSource);
        ArgumentException.ThrowIfNullOrEmpty(options.BaseEnvironment);
        _options = options;
        _source = Path.GetFullPath(options.ConfigurationSource);
        CheckFolderName(options.BaseEnvironment, "base environment");
        if (options.Environment is { Length: > 0 } named)
        {
            CheckFolderName(named, "environment");
        }

        if (!Directory.Exists(Path.Combine(_source, options.BaseEnvironment)))
        {
            throw new CatalogConfigurationException(
                $"Configuration folder '{Path.Combine(_source, options.BaseEnvironment)}' does not exist: the base environment "
                + $"'{options.BaseEnvironment}' must be a folder of the configuration source '{_source}'.");
        }

        var environment = Environment;
        if (environment.Length > 0 && !Directory.Exists(Path.Combine(_source, environment)) && environment != DefaultEnvironment)
        {
            var known = Directory.EnumerateDirectories(_source).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            throw new CatalogConfigurationException(
                $"Configuration environment '{environment}' does not exist: there is no folder '{Path.Combine(_source, environment)}'. "
                + $"Environments found: {string.Join(", ", known)}.");
        }
    }

    /// <summary>An environment is a folder directly under the configuration source, never a path elsewhere.</summary>
    private static void CheckFolderName(string name, string what)
    {
        if (name is "." or ".." || name.IndexOfAny(['/', '\\']) >= 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new CatalogConfigurationException(
                $"Configuration {what} '{name}' is not a folder name: environments are folders directly under the configuration source, such as 'base', 'local' or 'prod'.");
        }
    }

    /// <summary>The run environment whose entries override the base's (empty for none).</summary>
    public string Environment => _options.Environment ?? DefaultEnvironment;

    /// <summary>The absolute path of the configuration source.</summary>
    public string ConfigurationSource => _source;

    /// <summary>The merged catalog configuration: dataset name or pattern → entry, as <see cref="CatalogConfiguration.FromDictionary"/> takes.</summary>
    /// <returns>The configuration.</returns>
    /// <exception cref="CatalogConfigurationException">A file is invalid, or one environment defines a key twice.</exception>
    public IReadOnlyDictionary<string, object?> GetCatalogConfiguration() => Load("catalog", MergeStrategy.Destructive);

    /// <summary>
    /// The merged credentials (<c>credentials*</c> files), the only configuration that may read environment variables
    /// (<c>${oc.env:VAR}</c>). Catalog entries name them with <c>credentials: NAME</c>.
    /// </summary>
    /// <returns>Credentials name → credentials (keys starting with <c>_</c>, templates, left out); empty when there are no credentials files.</returns>
    /// <exception cref="CatalogConfigurationException">A file or an interpolation is invalid; the message never quotes credentials.</exception>
    public IReadOnlyDictionary<string, object?> GetCredentials() => WithoutTemplates(Load(CredentialsKind, MergeStrategy.Destructive));

    /// <summary>
    /// The merged globals (<c>globals*</c> files), which catalog, parameters and credentials read with
    /// <c>${globals:key}</c>. Globals may reference their own keys, but not globals or runtime parameters.
    /// </summary>
    /// <returns>Key → value (keys starting with <c>_</c>, templates, left out); empty when there are no globals files.</returns>
    /// <exception cref="CatalogConfigurationException">A file or an interpolation is invalid.</exception>
    public IReadOnlyDictionary<string, object?> GetGlobals() => _globals ??= WithoutTemplates(Load(GlobalsKind, MergeStrategy.Destructive));

    /// <summary>As Kedro: top-level keys starting with <c>_</c> serve interpolation and YAML anchors only.</summary>
    private static Dictionary<string, object?> WithoutTemplates(Dictionary<string, object?> config) =>
        config.Where(p => !p.Key.StartsWith('_')).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>The merged parameters, runtime parameters included.</summary>
    /// <returns>Parameter name → value, as <see cref="DataCatalog.AddParameters"/> takes.</returns>
    /// <exception cref="CatalogConfigurationException">A file is invalid, or one environment defines a key twice.</exception>
    public IReadOnlyDictionary<string, object?> GetParameters()
    {
        var parameters = Load("parameters", _options.ParameterMergeStrategy);
        if (_options.RuntimeParameters is { Count: > 0 } runtime)
        {
            return ParameterConfiguration.Merge(parameters, runtime).Where(p => !p.Key.StartsWith('_')).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }

        return parameters.Where(p => !p.Key.StartsWith('_')).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>The parameters of the parameters files alone: runtime parameters resolve their interpolations but are not merged in.</summary>
    internal IReadOnlyDictionary<string, object?> GetConfiguredParameters() =>
        Load("parameters", _options.ParameterMergeStrategy).Where(p => !p.Key.StartsWith('_')).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>The keys <c>${runtime_params:key}</c> interpolations read in the configuration loaded so far.</summary>
    internal IReadOnlyCollection<string> RuntimeParameterReferences => _runtimeParameterReferences;

    /// <summary>
    /// Builds the catalog: the merged catalog configuration plus the parameters; entries' <c>credentials: NAME</c> come
    /// from <see cref="GetCredentials"/> unless <see cref="CatalogLoadOptions.Credentials"/> is set.
    /// </summary>
    /// <param name="options">How to build datasets; relative file paths resolve against its base directory. Not changed.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="CatalogConfigurationException">The configuration is invalid; the message names the file or entry.</exception>
    public DataCatalog CreateCatalog(CatalogLoadOptions? options = null)
    {
        var effective = options?.Copy() ?? new CatalogLoadOptions();
        effective.Credentials ??= GetCredentials();
        var catalog = CatalogConfiguration.FromDictionary(GetCatalogConfiguration(), effective);
        catalog.AddParameters(GetParameters());
        return catalog;
    }

    private Dictionary<string, object?> Load(string kind, MergeStrategy strategy)
    {
        var result = LoadEnvironment(_options.BaseEnvironment, kind);
        if (Environment.Length > 0 && Environment != _options.BaseEnvironment)
        {
            var overrides = LoadEnvironment(Environment, kind);
            if (strategy == MergeStrategy.Soft)
            {
                return new Dictionary<string, object?>(ParameterConfiguration.Merge(result, overrides), StringComparer.Ordinal);
            }

            foreach (var (key, value) in overrides)
            {
                result[key] = value;
            }
        }

        return result;
    }

    private Dictionary<string, object?> LoadEnvironment(string environment, string kind)
    {
        var folder = Path.Combine(_source, environment);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (!Directory.Exists(folder))
        {
            return result;
        }

        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in FindFiles(folder, kind))
        {
            foreach (var (key, value) in ConfigurationTree.ReadFile(file, kind))
            {
                if (origin.TryGetValue(key, out var first))
                {
                    throw new CatalogConfigurationException(
                        kind == CredentialsKind
                            ? $"Duplicate keys found in '{first}' and '{file}': '{key}'. One environment may define credentials only once."
                            : $"Duplicate keys found in '{first}' and '{file}': '{key}'. One environment may define a {kind} key only once.");
                }

                origin[key] = file;
                result[key] = value;
            }
        }

        // As Kedro, interpolations resolve within one environment's files of one kind; parameters see the runtime ones.
        var runtime = _options.RuntimeParameters ?? new Dictionary<string, object?>();
        var scope = new InterpolationScope
        {
            Kind = kind,
            Globals = kind == GlobalsKind ? null : GetGlobals,
            RuntimeParameters = kind == GlobalsKind ? null : runtime,
            RuntimeParameterRead = key => _runtimeParameterReferences.Add(key),
            AllowEnvironment = kind == CredentialsKind,
            Secret = kind == CredentialsKind,
            SourceOf = key => origin.TryGetValue(key, out var file) ? $"'{file}'" : "the runtime parameters (--params)",
        };
        if (kind == "parameters" && runtime.Count > 0 && ConfigInterpolation.HasInterpolation(result))
        {
            var resolved = ConfigInterpolation.Resolve(new Dictionary<string, object?>(ParameterConfiguration.Merge(result, runtime), StringComparer.Ordinal), scope);
            return result.Keys.ToDictionary(key => key, key => resolved[key], StringComparer.Ordinal);
        }

        return ConfigInterpolation.Resolve(result, scope);
    }

    private static IEnumerable<string> FindFiles(string folder, string kind) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Where(f => Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar)
                .Any(part => part.StartsWith(kind, StringComparison.Ordinal)))
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'))) // hidden files and folders, such as .ipynb_checkpoints
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Parses runtime parameters in Kedro's <c>--params</c> form, <c>key=value,other.sub=value</c>: dotted keys address
    /// nested parameters; values become numbers, <see langword="true"/>/<see langword="false"/>, <see langword="null"/>
    /// (<c>null</c> or <c>~</c>) or strings.
    /// </summary>
    /// <param name="text">The text; empty for none.</param>
    /// <returns>The parameters as a tree, for <see cref="ConfigLoaderOptions.RuntimeParameters"/>.</returns>
    /// <exception cref="FormatException">An item is not <c>key=value</c> or has an empty key; the message names it.</exception>
    public static IReadOnlyDictionary<string, object?> ParseRuntimeParameters(string? text)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }

        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = item.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new FormatException($"Invalid parameter '{item}': expected key=value (for example model_options.test_size=0.3), items separated by commas.");
            }

            var path = item[..separator].Trim().Split('.');
            if (path.Any(string.IsNullOrWhiteSpace))
            {
                throw new FormatException($"Invalid parameter key '{item[..separator]}': keys are names separated by dots, such as model_options.test_size.");
            }

            // A key given twice, or given both a value and sub-keys (a=1,a.b=2), would silently lose one of them.
            var node = result;
            for (var depth = 0; depth < path.Length - 1; depth++)
            {
                var part = path[depth];
                if (!node.TryGetValue(part, out var child))
                {
                    child = new Dictionary<string, object?>(StringComparer.Ordinal);
                    node[part] = child;
                }
                else if (child is not Dictionary<string, object?>)
                {
                    throw new FormatException($"Invalid parameter '{item}': '{string.Join('.', path[..(depth + 1)])}' already has a value, so it cannot also have sub-keys.");
                }

                node = (Dictionary<string, object?>)child!;
            }

            if (node.TryGetValue(path[^1], out var existing))
            {
                throw new FormatException(existing is Dictionary<string, object?>
                    ? $"Invalid parameter '{item}': '{string.Join('.', path)}' already has sub-keys, so it cannot also have a value."
                    : $"Invalid parameter '{item}': '{string.Join('.', path)}' is given more than once.");
            }

            node[path[^1]] = ParseScalar(item[(separator + 1)..].Trim());
        }

        return result;
    }

    private static object? ParseScalar(string value) =>
        value switch
        {
            "null" or "~" => null,
            "true" or "True" => true,
            "false" or "False" => false,
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => whole,
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real) => real,
            _ => value,
        };
}

/// <summary>How a run environment's parameters combine with the base environment's.</summary>
public enum MergeStrategy
{
    /// <summary>A top-level key of the run environment replaces the base's whole value (Kedro's default).</summary>
    Destructive,

    /// <summary>Mappings merge key by key at every depth; other values are replaced.</summary>
    Soft,
}

/// <summary>Options of <see cref="ConfigLoader"/>.</summary>
public sealed class ConfigLoaderOptions
{
    /// <summary>The configuration folder (Kedro's <c>conf_source</c>), <c>conf</c> by default.</summary>
    public string ConfigurationSource { get; set; } = "conf";

    /// <summary>The base environment's folder name, <c>base</c> by default.</summary>
    public string BaseEnvironment { get; set; } = "base";

    /// <summary>The run environment (Kedro's <c>--env</c>), <c>local</c> by default.</summary>
    public string? Environment { get; set; }

    /// <summary>How the run environment's parameters merge with the base's; <see cref="MergeStrategy.Destructive"/> by default, as in Kedro.</summary>
    public MergeStrategy ParameterMergeStrategy { get; set; } = MergeStrategy.Destructive;

    /// <summary>Parameters given at run time (<see cref="ConfigLoader.ParseRuntimeParameters"/>); they override the configured ones key by key.</summary>
    public IReadOnlyDictionary<string, object?>? RuntimeParameters { get; set; }
}
