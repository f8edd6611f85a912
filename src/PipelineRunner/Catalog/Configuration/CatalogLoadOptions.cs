namespace PipelineRunner.Catalog.Configuration;

/// <summary>How <see cref="CatalogConfiguration"/> turns catalog configuration into datasets.</summary>
public sealed class CatalogLoadOptions
{
    /// <summary>
    /// The directory relative <c>filepath</c>s are resolved against (Kedro's project root); the current directory when
    /// <see langword="null"/>.
    /// </summary>
    public string? BaseDirectory { get; set; }

    /// <summary>The dataset types; <see cref="DatasetTypeRegistry.CreateDefault"/> when <see langword="null"/>.</summary>
    public DatasetTypeRegistry? Registry { get; set; }

    /// <summary>The clock versioned datasets name new versions with; <see cref="TimeProvider.System"/> when <see langword="null"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Versions to load, by dataset name (Kedro's <c>load_versions</c>); other versioned datasets load their latest
    /// version. Every name must be in the catalog or match one of its patterns.
    /// </summary>
    public IReadOnlyDictionary<string, string>? LoadVersions { get; set; }

    /// <summary>
    /// The version every versioned dataset saves (Kedro's run-wide <c>save_version</c>, such as
    /// <see cref="Files.DatasetVersion.CreateTimestamp"/> at the start of a run); a new timestamp per save when <see langword="null"/>.
    /// </summary>
    public string? SaveVersion { get; set; }

    /// <summary>
    /// The logger of the catalog built (a warning when a dataset is replaced); from <see cref="LoggerFactory"/> when
    /// <see langword="null"/>, none when both are.
    /// </summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }

    /// <summary>
    /// Credentials by name (Kedro's <c>credentials.yml</c>, as <see cref="ConfigLoader.GetCredentials"/> reads it): an
    /// entry's <c>credentials: NAME</c> gets <c>Credentials[NAME]</c>, a mapping, as
    /// <see cref="DatasetDefinition.Credentials"/>. <see cref="ConfigLoader.CreateCatalog"/> sets it from the
    /// configuration folder when <see langword="null"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? Credentials { get; set; }

    /// <summary>
    /// Runtime parameters that <c>${runtime_params:key}</c> interpolations in catalog text or files
    /// (<see cref="CatalogConfiguration.FromYaml"/>, <see cref="CatalogConfiguration.FromFile"/>) read; none when
    /// <see langword="null"/>. <see cref="ConfigLoader"/> takes them from <see cref="ConfigLoaderOptions.RuntimeParameters"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? RuntimeParameters { get; set; }

    /// <summary>
    /// Where file datasets built from the configuration log (Kedro's warning when a versioned dataset's save and load
    /// versions do not match); no logging when <see langword="null"/>.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>A copy of these options.</summary>
    internal CatalogLoadOptions Copy() => (CatalogLoadOptions)MemberwiseClone();
}
