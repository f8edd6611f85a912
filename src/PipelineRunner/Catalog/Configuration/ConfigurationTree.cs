using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// Parses YAML and JSON configuration into plain trees: <see cref="Dictionary{TKey, TValue}"/> of
/// <see cref="string"/> to <see cref="object"/> for mappings, <see cref="List{T}"/> of <see cref="object"/> for
/// sequences, and <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> or
/// <see langword="null"/> for scalars.
/// </summary>
/// <remarks>
/// Plain YAML scalars resolve by the YAML 1.2 core schema (<c>true</c>/<c>false</c>, integers including <c>0x</c> and
/// <c>0o</c>, floats including <c>.inf</c> and <c>.nan</c>, <c>null</c>/<c>~</c>/empty); quoted and block scalars, and
/// scalars tagged <c>!!str</c>, stay strings. Merge keys (<c>&lt;&lt;: *anchor</c>) are applied, with the mapping's own
/// keys winning.
/// </remarks>
internal static partial class ConfigurationTree
{
    private const string StringTag = "tag:yaml.org,2002:str";
    private const string MergeKey = "<<";

    private static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Reads a configuration file, as YAML (<c>.yml</c>, <c>.yaml</c>) or JSON (<c>.json</c>) by its extension.</summary>
    public static Dictionary<string, object?> ReadFile(string path, string what)
    {
        var checkedPath = CheckFile(path, what);
        string text;
        try
        {
            text = File.ReadAllText(checkedPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, what, ex);
        }

        return Parse(path, text, what);
    }

    /// <summary>Reads a configuration file asynchronously (see <see cref="ReadFile"/>).</summary>
    public static async Task<Dictionary<string, object?>> ReadFileAsync(string path, string what, CancellationToken cancellationToken)
    {
        var checkedPath = CheckFile(path, what);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(checkedPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, what, ex);
        }

        return Parse(path, text, what);
    }

    /// <summary>A file that exists but cannot be read (a broken link, no permission, a device error).</summary>
    private static CatalogConfigurationException Unreadable(string path, string what, Exception error) =>
        new($"Cannot read the {what} file '{path}': {error.Message}", error);

    /// <summary>Parses YAML whose root must be a mapping (an empty document is an empty mapping).</summary>
    public static Dictionary<string, object?> ParseYamlMapping(string yaml, string source, string what)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        var parser = new TrackingParser(new Parser(new StringReader(yaml)), source);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw new CatalogConfigurationException(
                $"Invalid YAML in {source} at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or InvalidCastException)
        {
            // YamlDotNet fails this way on some malformed input (such as an unclosed flow sequence); report where it stopped.
            throw new CatalogConfigurationException(
                $"Invalid YAML in {source} near line {parser.LastGood.Line}, column {parser.LastGood.Column}: the YAML cannot be parsed after this point ({ex.Message})",
                ex);
        }

        if (stream.Documents.Count > 1)
        {
            throw new CatalogConfigurationException(
                $"The {what} in {source} has {stream.Documents.Count} YAML documents; expected one.");
        }

        var root = stream.Documents.Count == 0 ? null : FromYaml(stream.Documents[0].RootNode, new YamlReading(source, parser.Nodes), 0);
        return AsRootMapping(root, source, what);
    }

    /// <summary>Parses JSON whose root must be an object (or <c>null</c>, read as an empty mapping).</summary>
    public static Dictionary<string, object?> ParseJsonMapping(string json, string source, string what)
    {
        ArgumentNullException.ThrowIfNull(json);
        object? root;
        try
        {
            using var document = JsonDocument.Parse(json, JsonOptions);
            root = FromJson(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new CatalogConfigurationException(
                $"Invalid JSON in {source} at line {ex.LineNumber + 1}, column {ex.BytePositionInLine + 1}: {ex.Message}", ex);
        }
        catch (CatalogConfigurationException ex)
        {
            throw new CatalogConfigurationException($"Invalid JSON in {source}: {ex.Message}", ex); // a duplicate key
        }

        return AsRootMapping(root, source, what);
    }

    /// <summary>
    /// Normalizes a tree built in code: dictionaries of any kind become <c>Dictionary&lt;string, object?&gt;</c>, other
    /// sequences <c>List&lt;object?&gt;</c>, integers <see cref="long"/>, floating-point numbers <see cref="double"/>,
    /// JSON values their plain equivalents; other values are kept.
    /// </summary>
    public static object? Normalize(object? value) => value switch
    {
        null or string or bool or long or double => value,
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong number => number <= long.MaxValue ? (long)number : (object)(double)number,
        float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        JsonElement element => FromJson(element),
        JsonNode node => FromJson(JsonSerializer.SerializeToElement(node)),
        IDictionary dictionary => NormalizeEntries(Entries(dictionary)),
        IEnumerable<KeyValuePair<string, object?>> pairs => NormalizeEntries(pairs),
        IEnumerable sequence => sequence.Cast<object?>().Select(Normalize).ToList(),
        _ => value,
    };

    /// <summary>Normalizes a mapping built in code (see <see cref="Normalize"/>).</summary>
    public static Dictionary<string, object?> NormalizeMapping(IEnumerable<KeyValuePair<string, object?>> mapping) => NormalizeEntries(mapping);

    /// <summary>Describes a configuration value's kind for messages: "a mapping", "a list", "the string 'x'" and so on.</summary>
    public static string DescribeValue(object? value) => value switch
    {
        null => "null",
        string text => $"the string '{text}'",
        bool or long or double => $"the {(value is bool ? "boolean" : "number")} {Convert.ToString(value, CultureInfo.InvariantCulture)?.ToLowerInvariant()}",
        IDictionary or IEnumerable<KeyValuePair<string, object?>> => "a mapping",
        IEnumerable => "a list",
        _ => $"a {value.GetType().Name}",
    };

    private static string CheckFile(string path, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!IsJson(path) && Path.GetExtension(path).ToUpperInvariant() is not (".YML" or ".YAML"))
        {
            throw new CatalogConfigurationException(
                $"Cannot read {what} file '{path}': expected a .yml, .yaml or .json extension, not '{Path.GetExtension(path)}'.");
        }

        return File.Exists(path) ? path : throw new FileNotFoundException($"The {what} file was not found: '{path}'.", path);
    }

    private static bool IsJson(string path) => Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase);

    private static Dictionary<string, object?> Parse(string path, string text, string what) =>
        IsJson(path) ? ParseJsonMapping(text, $"'{path}'", what) : ParseYamlMapping(text, $"'{path}'", what);

    private static Dictionary<string, object?> AsRootMapping(object? root, string source, string what) => root switch
    {
        null => new Dictionary<string, object?>(StringComparer.Ordinal),
        Dictionary<string, object?> mapping => mapping,
        _ => throw new CatalogConfigurationException(
            $"The {what} in {source} must be a mapping at the top level, not {(what == "credentials" ? "a single value" : DescribeValue(root))}."), // never quote credentials
    };

    private static Dictionary<string, object?> NormalizeEntries(IEnumerable<KeyValuePair<string, object?>> entries)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            result[key] = Normalize(value);
        }

        return result;
    }

    private static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary dictionary)
    {
        // Enumerate through IDictionaryEnumerator: a generic dictionary's plain enumerator yields KeyValuePairs, not DictionaryEntries.
        var enumerator = dictionary.GetEnumerator();
        while (enumerator.MoveNext())
        {
            yield return KeyValuePair.Create(Convert.ToString(enumerator.Key, CultureInfo.InvariantCulture) ?? string.Empty, enumerator.Value);
        }
    }

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(StringComparer.Ordinal),
            (mapping, property) =>
            {
                // As for YAML: a key written twice would silently lose the first value.
                if (!mapping.TryAdd(property.Name, FromJson(property.Value)))
                {
                    throw new CatalogConfigurationException($"Duplicate key '{property.Name}' in a JSON object: each key may appear only once.");
                }

                return mapping;
            }),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? integer : (object)element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static object? FromYaml(YamlNode node, YamlReading reading, int depth)
    {
        var source = reading.Source;
        if (depth > MaxDepth)
        {
            throw new CatalogConfigurationException(
                $"Invalid YAML in {source} at line {node.Start.Line}, column {node.Start.Column}: nesting (with aliases expanded) is deeper than {MaxDepth} levels.");
        }

        if (++reading.Values > reading.ParsedNodes + MaxAliasValues)
        {
            throw new CatalogConfigurationException(
                $"Invalid YAML in {source}: its aliases expand to more than {MaxAliasValues:N0} values beyond those written in the file (near line {node.Start.Line}); " +
                "this is refused, as aliases can multiply a small file into an enormous tree.");
        }

        switch (node)
        {
            case YamlScalarNode scalar:
                return ResolveScalar(scalar);
            case YamlSequenceNode sequence:
                return sequence.Children.Select(child => FromYaml(child, reading, depth + 1)).ToList();
            case YamlMappingNode mapping:
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                var merged = new List<Dictionary<string, object?>>();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode keyScalar)
                    {
                        throw new CatalogConfigurationException(
                            $"Invalid YAML in {source} at line {keyNode.Start.Line}, column {keyNode.Start.Column}: mapping keys must be scalars.");
                    }

                    var value = FromYaml(valueNode, reading, depth + 1);
                    if (keyScalar.Value == MergeKey && keyScalar.Style == ScalarStyle.Plain)
                    {
                        merged.AddRange(value switch
                        {
                            Dictionary<string, object?> single => [single],
                            List<object?> many when many.All(m => m is Dictionary<string, object?>) => many.Cast<Dictionary<string, object?>>(),
                            _ => throw new CatalogConfigurationException(
                                $"Invalid YAML in {source} at line {keyNode.Start.Line}, column {keyNode.Start.Column}: a merge key '<<' needs a mapping or a list of mappings."),
                        });
                        continue;
                    }

                    result[keyScalar.Value ?? string.Empty] = value;
                }

                // Explicit keys win over merged ones; among merged mappings, earlier ones win (YAML merge key spec).
                foreach (var mergedMapping in merged)
                {
                    foreach (var (key, value) in mergedMapping)
                    {
                        result.TryAdd(key, value);
                    }
                }

                return result;
            default:
                throw new CatalogConfigurationException(
                    $"Invalid YAML in {source} at line {node.Start.Line}, column {node.Start.Column}: unsupported node {node.NodeType}.");
        }
    }

    private static object? ResolveScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag))
        {
            return text;
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF":
                return double.NegativeInfinity;
            case ".nan" or ".NaN" or ".NAN":
                return double.NaN;
        }

        if (DecimalInteger().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                ? integer
                : (object)double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        if (HexInteger().IsMatch(text) && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) && hex >= 0)
        {
            return hex;
        }

        if (OctalInteger().IsMatch(text))
        {
            try
            {
                return Convert.ToInt64(text[2..], 8);
            }
            catch (OverflowException)
            {
                return text;
            }
        }

        return Float().IsMatch(text) ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : text;
    }

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalInteger();

    [GeneratedRegex("^0x[0-9a-fA-F]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HexInteger();

    [GeneratedRegex("^0o[0-7]+$", RegexOptions.CultureInvariant)]
    private static partial Regex OctalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();

    /// <summary>The deepest nesting accepted, in YAML as in JSON: 64 levels.</summary>
    private const int MaxDepth = 64;

    /// <summary>The most values a YAML file's aliases may add to those written in it: 1,000,000.</summary>
    private const int MaxAliasValues = 1_000_000;

    /// <summary>The file being read, how many nodes its text holds, and how many values it has expanded to so far.</summary>
    private sealed class YamlReading(string source, long parsedNodes)
    {
        public string Source { get; } = source;

        public long ParsedNodes { get; } = parsedNodes;

        public long Values { get; set; }
    }

    /// <summary>Remembers where parsing last succeeded, and refuses nesting deeper than <see cref="MaxDepth"/> before the parser recurses into it.</summary>
    private sealed class TrackingParser(IParser inner, string source) : IParser
    {
        private int _depth;

        public Mark LastGood { get; private set; } = Mark.Empty;

        /// <summary>Scalars, sequences and mappings written in the text (aliases not expanded).</summary>
        public long Nodes { get; private set; }

        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            if (inner.Current is { } current)
            {
                LastGood = current.End;
                if (current is YamlDotNet.Core.Events.Scalar or YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart)
                {
                    Nodes++;
                }

                _depth += current.NestingIncrease;
                if (_depth > MaxDepth + 2) // the stream and the document count as two levels
                {
                    throw new CatalogConfigurationException(
                        $"Invalid YAML in {source} at line {current.Start.Line}, column {current.Start.Column}: nesting is deeper than {MaxDepth} levels.");
                }
            }

            return moved;
        }
    }
}
