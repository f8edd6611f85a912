namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// Reads parameters (Kedro's <c>parameters.yml</c>) for <see cref="DataCatalog.AddParameters"/>, and merges
/// parameter sets such as a base and a local environment.
/// </summary>
/// <remarks>
/// Values are plain trees: <c>Dictionary&lt;string, object?&gt;</c> for mappings, <c>List&lt;object?&gt;</c> for lists,
/// and <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> or <see langword="null"/>
/// for scalars (quoted YAML scalars stay strings). As in Kedro, top-level keys starting with <c>_</c> (templates for
/// YAML anchors) are dropped.
/// </remarks>
public static class ParameterConfiguration
{
    private const string What = "parameters";

    /// <summary>Reads parameters from YAML text.</summary>
    /// <param name="yamlText">The YAML.</param>
    /// <returns>Parameter name → value.</returns>
    /// <exception cref="CatalogConfigurationException">The YAML is invalid (the message gives the line) or not a mapping.</exception>
    public static IReadOnlyDictionary<string, object?> FromYaml(string yamlText) =>
        DropTemplates(ConfigurationTree.ParseYamlMapping(yamlText, "parameters YAML", What));

    /// <summary>Reads parameters from JSON text.</summary>
    /// <param name="jsonText">The JSON.</param>
    /// <returns>Parameter name → value.</returns>
    /// <exception cref="CatalogConfigurationException">The JSON is invalid (the message gives the line) or not an object.</exception>
    public static IReadOnlyDictionary<string, object?> FromJson(string jsonText) =>
        DropTemplates(ConfigurationTree.ParseJsonMapping(jsonText, "parameters JSON", What));

    /// <summary>Reads parameters from a <c>.yml</c>, <c>.yaml</c> or <c>.json</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Parameter name → value.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CatalogConfigurationException">The extension is not supported, or the content is invalid.</exception>
    public static IReadOnlyDictionary<string, object?> FromFile(string path) =>
        DropTemplates(ConfigurationTree.ReadFile(path, What));

    /// <summary>Reads parameters from a <c>.yml</c>, <c>.yaml</c> or <c>.json</c> file asynchronously.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels reading the file.</param>
    /// <returns>Parameter name → value.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CatalogConfigurationException">The extension is not supported, or the content is invalid.</exception>
    public static async ValueTask<IReadOnlyDictionary<string, object?>> FromFileAsync(string path, CancellationToken cancellationToken = default) =>
        DropTemplates(await ConfigurationTree.ReadFileAsync(path, What, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Deep-merges two parameter sets into a new one: where both have a mapping under the same key the mappings are
    /// merged, otherwise the value of <paramref name="overrides"/> wins (lists are replaced, not concatenated). Neither
    /// input is changed.
    /// </summary>
    /// <param name="baseParameters">The base parameters.</param>
    /// <param name="overrides">The parameters that win.</param>
    /// <returns>The merged parameters.</returns>
    public static IReadOnlyDictionary<string, object?> Merge(IReadOnlyDictionary<string, object?> baseParameters, IReadOnlyDictionary<string, object?> overrides)
    {
        ArgumentNullException.ThrowIfNull(baseParameters);
        ArgumentNullException.ThrowIfNull(overrides);
        return MergeMappings(ConfigurationTree.NormalizeMapping(baseParameters), ConfigurationTree.NormalizeMapping(overrides));
    }

    private static Dictionary<string, object?> MergeMappings(Dictionary<string, object?> result, Dictionary<string, object?> overrides)
    {
        foreach (var (key, value) in overrides)
        {
            result[key] = result.TryGetValue(key, out var existing)
                && existing is Dictionary<string, object?> existingMapping
                && value is Dictionary<string, object?> overrideMapping
                    ? MergeMappings(existingMapping, overrideMapping)
                    : value;
        }

        return result;
    }

    private static Dictionary<string, object?> DropTemplates(Dictionary<string, object?> parameters)
    {
        foreach (var key in parameters.Keys.Where(k => k.StartsWith('_')).ToList())
        {
            parameters.Remove(key);
        }

        return parameters;
    }
}
