using System.Globalization;

namespace PipelineRunner.Catalog.Files;

/// <summary>
/// The versions a versioned <see cref="FileDataset"/> loads and saves (Kedro's <c>Version(load, save)</c>). A version is
/// the name of a directory: data is stored at <c>&lt;filepath&gt;/&lt;version&gt;/&lt;filename&gt;</c>.
/// </summary>
/// <param name="LoadVersion">The version to load; <see langword="null"/> loads the latest one.</param>
/// <param name="SaveVersion">The version to save; <see langword="null"/> saves under a new UTC timestamp each time.</param>
public sealed record DatasetVersion(string? LoadVersion = null, string? SaveVersion = null)
{
    /// <summary>
    /// The format of generated versions, Kedro's <c>%Y-%m-%dT%H.%M.%S.%fZ</c> cut to milliseconds, for example
    /// <c>2024-05-01T12.30.15.123Z</c>. Versions in this format sort chronologically.
    /// </summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH.mm.ss.fff'Z'";

    /// <summary>Generates a version from the current UTC time of <paramref name="timeProvider"/> (Kedro's <c>generate_timestamp</c>).</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <returns>The version, formatted with <see cref="TimestampFormat"/>.</returns>
    public static string CreateTimestamp(TimeProvider? timeProvider = null) =>
        (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => $"Version(load={LoadVersion ?? "None"}, save={SaveVersion ?? "None"})";

    /// <summary>Checks that a version can be used as a directory name.</summary>
    /// <param name="version">The version, or <see langword="null"/>.</param>
    /// <param name="what">Which version, for the message.</param>
    /// <exception cref="ArgumentException">The version is empty, has surrounding whitespace, a path separator or is a relative segment.</exception>
    internal static void Validate(string? version, string what)
    {
        if (version is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(version) || version.Trim() != version || version is "." or ".."
            || version.IndexOfAny(['/', '\\']) >= 0 || version.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException(
                $"The {what} version '{version}' is not a valid directory name: it must be non-empty, without surrounding whitespace, path separators or invalid characters, and not '.' or '..'.");
        }
    }
}
