using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Datasets;

[assembly: DatasetTypeProvider(typeof(FileFormatTypes))]

namespace PipelineRunner.Datasets;

/// <summary>
/// The catalog types of this package and their Kedro aliases; <see cref="DatasetTypeRegistry.CreateDefault"/> registers
/// them when the app references the package:
/// <list type="bullet">
/// <item>
/// <c>CsvDataset</c>, <c>pandas.CSVDataset</c>: <c>delimiter</c> or <c>load_args.sep</c>/<c>save_args.sep</c>
/// (also <c>.delimiter</c>); <c>has_header</c> or <c>load_args.header</c> (<c>null</c> for none, <c>0</c> or
/// <c>infer</c> for a header)/<c>save_args.header</c> (bool); <c>save_args.index</c> must be false when given;
/// <c>save_args.mode</c> <c>w</c> (replace, the default) or <c>a</c> (append: <see cref="Catalog.Files.FileWriteMode.Append"/>,
/// unversioned).
/// </item>
/// <item><c>MessagePackDataset</c>, <c>pickle.PickleDataset</c>: no options.</item>
/// <item><c>ParquetDataset</c>, <c>pandas.ParquetDataset</c>: no options.</item>
/// </list>
/// </summary>
public sealed class FileFormatTypes : IDatasetTypeProvider
{
    /// <inheritdoc/>
    public void Register(DatasetTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.RegisterWithAlias(nameof(CsvDataset), CreateCsv, "pandas.CSVDataset");
        registry.RegisterWithAlias(nameof(MessagePackDataset), CreateMessagePack, "pickle.PickleDataset");
        registry.RegisterWithAlias(nameof(ParquetDataset), CreateParquet, "pandas.ParquetDataset");
    }

    private static CsvDataset CreateCsv(DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions(
            "delimiter", "has_header", "load_args.sep", "load_args.delimiter", "load_args.header",
            "save_args.sep", "save_args.delimiter", "save_args.header", "save_args.index", "save_args.mode");
        if (definition.GetOption("save_args.index", false))
        {
            throw definition.Error("does not support 'save_args.index: true': records have no index column");
        }

        // CsvDataset reads and writes with one delimiter and one header setting, so the options given must agree.
        var delimiters = new[] { "delimiter", "load_args.sep", "load_args.delimiter", "save_args.sep", "save_args.delimiter" }
            .Select(key => (Key: key, Value: definition.GetOption<string?>(key, null)))
            .Where(option => option.Value is not null)
            .ToList();
        if (delimiters.Select(option => option.Value).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw definition.Error(
                $"has conflicting delimiters ({string.Join(", ", delimiters.Select(option => $"{option.Key} '{option.Value}'"))}); it reads and writes with one delimiter");
        }

        var delimiterText = delimiters.FirstOrDefault().Value ?? ",";
        if (delimiterText.Length != 1)
        {
            throw definition.Error($"has an invalid delimiter '{delimiterText}': it must be a single character");
        }

        bool hasHeader;
        if (definition.TryGetOption("has_header", out _))
        {
            hasHeader = definition.GetOption("has_header", true);
        }
        else if (definition.TryGetOption("load_args.header", out var header))
        {
            hasHeader = header switch
            {
                null or false => false,
                true or 0L => true,
                string text when text.Equals("infer", StringComparison.OrdinalIgnoreCase) => true,
                _ => throw definition.Error($"has an unsupported 'load_args.header' {DescribeHeader(header)}; use null, 0, 'infer' or a boolean"),
            };
            if (definition.TryGetOption("save_args.header", out _) && definition.GetOption("save_args.header", true) != hasHeader)
            {
                throw definition.Error("has conflicting options 'load_args.header' and 'save_args.header'; it reads and writes with one header setting");
            }
        }
        else
        {
            hasHeader = definition.GetOption("save_args.header", true);
        }

        var mode = definition.GetOption<string?>("save_args.mode", null) switch
        {
            null or "w" => Catalog.Files.FileWriteMode.Overwrite,
            "a" => Catalog.Files.FileWriteMode.Append,
            var other => throw definition.Error($"has an unsupported 'save_args.mode' '{other}'; use 'w' to replace the file or 'a' to append to it"),
        };
        if (mode == Catalog.Files.FileWriteMode.Append && definition.Version is not null)
        {
            throw definition.Error("cannot both append ('save_args.mode: a') and be versioned: each versioned save writes a new file");
        }

        return new CsvDataset(definition.GetRequiredFilePath(), delimiterText[0], hasHeader, definition.Version, definition.TimeProvider, mode);
    }

    private static string DescribeHeader(object header) => header switch
    {
        string text => $"the string '{text}'",
        long or double => $"the number {Convert.ToString(header, System.Globalization.CultureInfo.InvariantCulture)}",
        System.Collections.IDictionary or IEnumerable<KeyValuePair<string, object?>> => "a mapping",
        System.Collections.IEnumerable => "a list",
        _ => $"a {header.GetType().Name}",
    };

    private static MessagePackDataset CreateMessagePack(DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions();
        return new MessagePackDataset(definition.GetRequiredFilePath(), definition.Version, definition.TimeProvider);
    }

    private static ParquetDataset CreateParquet(DatasetDefinition definition)
    {
        definition.EnsureSupportedOptions();
        return new ParquetDataset(definition.GetRequiredFilePath(), null, definition.Version, definition.TimeProvider);
    }
}
