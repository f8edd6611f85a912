using System.Text.Json;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// How a worker reaches a dataset: by its catalog definition (type and configuration, for datasets it can open itself,
/// such as files) or through the store. Workers receive definitions, never live objects (kedro#2162).
/// </summary>
internal static class DatasetSpecs
{
    public static DatasetSpec For(string name, IDataset dataset)
    {
        var spec = new DatasetSpec { Name = name };
        if (!dataset.IsEphemeral && DatasetTypeRegistry.TryGetDefinition(dataset, out var definition))
        {
            spec.DefinitionJson = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["type"] = definition.TypeName,
                ["filepath"] = definition.FilePath,
                ["versioned"] = definition.Versioned,
                ["load_version"] = definition.LoadVersion,
                ["save_version"] = definition.SaveVersion,
                ["options"] = definition.Options,

                // Paths inside the options (a wrapped dataset's filepath, a partitioned dataset's path) resolve against it.
                ["base_directory"] = definition.BaseDirectory,

                // A worker builds the dataset as the driver did, credentials included (Kedro's Dask runner ships the
                // catalog's datasets, credentials and all, to its workers). They travel on the scheduler's channel —
                // use TLS and an access token across machines — and are never logged or shown.
                ["credentials"] = definition.Credentials,
                ["credentials_name"] = definition.CredentialsName,
            });
        }

        return spec;
    }

    /// <summary>Whether the driver can hand the dataset to workers by definition.</summary>
    public static bool HasDefinition(IDataset dataset) =>
        !dataset.IsEphemeral && DatasetTypeRegistry.TryGetDefinition(dataset, out _);

    public static DatasetDefinition Parse(DatasetSpec spec)
    {
        Dictionary<string, JsonElement> root;
        try
        {
            root = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(spec.DefinitionJson) ?? [];
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The definition of dataset '{spec.Name}' is not valid JSON: {ex.Message}", nameof(spec), ex);
        }

        string? Text(string key) => root.TryGetValue(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        // The definition normalizes JSON values into the plain values the catalog's YAML gives.
        var options = root.TryGetValue("options", out var raw) && raw.ValueKind == JsonValueKind.Object
            ? raw.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value, StringComparer.Ordinal)
            : null;
        return new DatasetDefinition(spec.Name, Text("type") ?? throw new ArgumentException($"The definition of dataset '{spec.Name}' has no type."), options)
        {
            FilePath = Text("filepath"),
            Versioned = root.TryGetValue("versioned", out var versioned) && versioned.ValueKind == JsonValueKind.True,
            LoadVersion = Text("load_version"),
            SaveVersion = Text("save_version"),
            BaseDirectory = Text("base_directory"),
            Credentials = root.TryGetValue("credentials", out var credentials) && credentials.ValueKind == JsonValueKind.Object
                ? credentials.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value, StringComparer.Ordinal)
                : null,
            CredentialsName = Text("credentials_name"),
        };
    }
}
