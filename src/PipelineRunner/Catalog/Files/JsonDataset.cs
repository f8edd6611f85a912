using System.Text.Json;
using System.Text.Json.Nodes;

namespace PipelineRunner.Catalog.Files;

/// <summary>
/// A JSON file (Kedro's <c>json.JSONDataset</c>) read and written with System.Text.Json. Loads deserialize into the
/// requested type, or into a <see cref="JsonNode"/> when the type is <see cref="object"/>; saves serialize the value's
/// runtime type.
/// </summary>
public sealed class JsonDataset : FileDataset
{
    private readonly JsonSerializerOptions _options;

    /// <summary>Creates the dataset.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="indented">Whether saves indent the JSON; overrides <see cref="JsonSerializerOptions.WriteIndented"/>.</param>
    /// <param name="serializerOptions">
    /// The serializer options; when <see langword="null"/>, the general defaults with case-insensitive property names.
    /// </param>
    /// <param name="version">The versions to load and save; <see langword="null"/> for an unversioned dataset.</param>
    /// <param name="timeProvider">The clock that names new versions.</param>
    public JsonDataset(
        string filePath,
        bool indented = false,
        JsonSerializerOptions? serializerOptions = null,
        DatasetVersion? version = null,
        TimeProvider? timeProvider = null)
        : base(filePath, version, timeProvider)
    {
        _options = serializerOptions is null
            ? new JsonSerializerOptions(JsonSerializerDefaults.General) { PropertyNameCaseInsensitive = true, WriteIndented = indented }
            : new JsonSerializerOptions(serializerOptions) { WriteIndented = indented };
        _options.MakeReadOnly(populateMissingResolver: true);
        Indented = indented;
    }

    /// <summary>Whether saves indent the JSON.</summary>
    public bool Indented { get; }

    /// <summary>The serializer options in use (read-only).</summary>
    public JsonSerializerOptions SerializerOptions => _options;

    /// <inheritdoc />
    protected override async ValueTask<object?> ReadAsync(Stream stream, Type requestedType, CancellationToken cancellationToken) =>
        requestedType == typeof(object)
            ? await JsonSerializer.DeserializeAsync<JsonNode>(stream, _options, cancellationToken).ConfigureAwait(false)
            : await JsonSerializer.DeserializeAsync(stream, requestedType, _options, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async ValueTask WriteAsync(Stream stream, object? data, CancellationToken cancellationToken) =>
        await JsonSerializer.SerializeAsync(stream, data, data?.GetType() ?? typeof(object), _options, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override void AddDescription(IDictionary<string, object?> description)
    {
        ArgumentNullException.ThrowIfNull(description);
        description["indented"] = Indented;
    }
}
