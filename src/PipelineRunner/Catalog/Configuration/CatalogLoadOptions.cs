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

    /// <summary>The logger of the catalog built (a warning when a dataset is replaced); none when <see langword="null"/>.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }
}
