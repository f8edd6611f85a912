using System.Collections;
using System.Globalization;
using CsvHelper;

namespace PipelineRunner.Datasets;

/// <summary>
/// A CSV file of records (the counterpart of Kedro's <c>pandas.CSVDataset</c>), parsed and written with CsvHelper using
/// the invariant culture.
/// </summary>
/// <remarks>
/// <para>
/// Saves take an <see cref="IEnumerable{T}"/>: records get one column per public readable property, in declaration
/// order; dictionaries (such as <c>Dictionary&lt;string, string&gt;</c>) get one column per key, in the order keys first
/// appear. Loads produce <see cref="RecordCollections.SupportedShapes"/> of the requested record type, binding columns
/// to constructor parameters and settable properties by name (ignoring case; every member needs a column), or, when
/// the requested type is <see cref="object"/>, a <c>List&lt;Dictionary&lt;string, string&gt;&gt;</c> with one
/// dictionary per row from header to field. Without a header, columns are taken in the order saves write them, and
/// dictionary keys are <c>Field1</c>, <c>Field2</c> and so on.
/// </para>
/// <para>Malformed quoting and rows whose field count differs from the header are errors.</para>
/// </remarks>
public sealed class CsvDataset : FileDataset
{
    /// <summary>Creates the dataset.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="delimiter">The field separator, an ASCII character.</param>
    /// <param name="hasHeader">Whether the first row names the columns.</param>
    /// <param name="version">The versions to load and save; <see langword="null"/> for an unversioned dataset.</param>
    /// <param name="timeProvider">The clock that names new versions.</param>
    /// <param name="writeMode">What a save does to an existing file: <see cref="FileWriteMode.Append"/> (Kedro's
    /// <c>save_args.mode: a</c>) adds the saved records to the end, writing the header only into an empty file, so a
    /// generator node's chunks all end up in one CSV; with a header, fields are written in the file's column order
    /// (a column the records lack stays empty, one the file lacks is an error).</param>
    /// <exception cref="ArgumentException">The delimiter is not ASCII, or is a quote, CR or LF; or the dataset both
    /// appends and is versioned.</exception>
    public CsvDataset(
        string filePath,
        char delimiter = ',',
        bool hasHeader = true,
        DatasetVersion? version = null,
        TimeProvider? timeProvider = null,
        FileWriteMode writeMode = FileWriteMode.Overwrite)
        : base(filePath, version, timeProvider)
    {
        WriteMode = writeMode;
        if (!char.IsAscii(delimiter) || delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"The CSV delimiter must be an ASCII character other than a quote, CR or LF, not '{delimiter}'.", nameof(delimiter));
        }

        Delimiter = delimiter;
        HasHeader = hasHeader;
    }

    /// <summary>The field separator.</summary>
    public char Delimiter { get; }

    /// <summary>Whether the first row names the columns.</summary>
    public bool HasHeader { get; }

    /// <inheritdoc />
    protected override async ValueTask<object?> ReadAsync(Stream stream, Type requestedType, CancellationToken cancellationToken)
    {
        var elementType = requestedType == typeof(object) ? typeof(Dictionary<string, string>) : RecordCollections.GetElementType(requestedType);
        if (elementType is null)
        {
            throw new InvalidOperationException(
                $"{nameof(CsvDataset)} loads into {RecordCollections.SupportedShapes} (or object for rows as dictionaries), not {TypeNames.Describe(requestedType)}.");
        }

        var asDictionaries = elementType.IsAssignableFrom(typeof(Dictionary<string, string>));
        var options = new CsvReaderOptions
        {
            Separator = Delimiter,
            HasHeader = HasHeader,
            TrimWhitespace = false,
            MalformedData = CsvMalformedDataHandling.Throw,
        };
        var reader = CsvReader.Create(stream, options, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            var header = HasHeader ? reader.Headers : null;
            var records = RecordCollections.CreateList(elementType);
            Func<IReadOnlyList<string>, object>? readRecord = null;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = reader.Current;
                if (header is not null && row.FieldCount != header.Count)
                {
                    throw new InvalidDataException(
                        $"record {reader.RowNumber} has {row.FieldCount} fields but the header has {header.Count}.");
                }

                if (asDictionaries)
                {
                    records.Add(row.ToDictionary());
                    continue;
                }

                readRecord ??= CsvRecordShape.For(elementType).CreateReader(header);
                try
                {
                    records.Add(readRecord(row.ToArray()));
                }
                catch (FormatException ex)
                {
                    throw new InvalidDataException($"record {reader.RowNumber}: {ex.Message}", ex);
                }
            }

            return RecordCollections.ToRequested(records, elementType, requestedType);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask WriteAsync(Stream stream, object? data, CancellationToken cancellationToken)
    {
        var (records, recordType) = RecordCollections.GetRecords(nameof(CsvDataset), data);
        var (columns, rows) = IsDictionary(recordType) ? FormatDictionaries(records) : FormatRecords(records, recordType);
        if (HasHeader && stream.Position > 0 && stream.CanRead && stream.CanSeek)
        {
            // Appending to a file with a header: write the fields in the file's column order.
            rows = AlignToHeader(await ReadExistingHeaderAsync(stream, cancellationToken).ConfigureAwait(false), columns, rows);
        }

        var options = new CsvWriterOptions { Separator = Delimiter, HasHeader = HasHeader };
        var writer = CsvWriter.Create(stream, options, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            // An append to a file that has content continues its rows: the header is already there.
            if (HasHeader && columns.Length > 0 && stream.Position == 0)
            {
                await writer.WriteRecordAsync(columns, cancellationToken).ConfigureAwait(false);
            }

            foreach (var row in rows)
            {
                await writer.WriteRecordAsync(row, cancellationToken).ConfigureAwait(false);
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override void AddDescription(IDictionary<string, object?> description)
    {
        ArgumentNullException.ThrowIfNull(description);
        description["delimiter"] = Delimiter.ToString();
        description["has_header"] = HasHeader;
    }

    /// <summary>Reads the header of the file being appended to, then returns the stream to its end.</summary>
    private async Task<string[]> ReadExistingHeaderAsync(Stream stream, CancellationToken cancellationToken)
    {
        var end = stream.Position;
        stream.Position = 0;
        string[] header;
        var reader = CsvReader.Create(stream, new CsvReaderOptions { Separator = Delimiter, HasHeader = true, TrimWhitespace = false }, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            header = [.. reader.Headers ?? []];
        }

        stream.Position = end;
        return header;
    }

    /// <summary>
    /// The rows with their fields in the order of <paramref name="header"/>; a column the records lack is left empty
    /// (dictionaries need not have every key), a column the file lacks is an error.
    /// </summary>
    private static IEnumerable<string[]> AlignToHeader(string[] header, string[] columns, IEnumerable<string[]> rows)
    {
        if (header.AsSpan().SequenceEqual(columns))
        {
            return rows;
        }

        var positions = new Dictionary<string, int>(header.Length, StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            positions.TryAdd(header[i], i);
        }

        var order = new int[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            if (!positions.TryGetValue(columns[i], out order[i]))
            {
                throw new InvalidDataException(
                    $"cannot append records with column '{columns[i]}' to a file whose header is [{string.Join(", ", header)}]; appended records must have the file's columns.");
            }
        }

        return rows.Select(row =>
        {
            var fields = new string[header.Length];
            Array.Fill(fields, string.Empty);
            for (var i = 0; i < order.Length; i++)
            {
                fields[order[i]] = row[i];
            }

            return fields;
        });
    }

    private static bool IsDictionary(Type type) =>
        typeof(IDictionary).IsAssignableFrom(type)
        || typeof(IEnumerable<KeyValuePair<string, object?>>).IsAssignableFrom(type)
        || typeof(IEnumerable<KeyValuePair<string, string>>).IsAssignableFrom(type);

    private static (string[] Columns, IEnumerable<string[]> Rows) FormatRecords(IEnumerable records, Type recordType)
    {
        if (recordType.IsPrimitive || recordType.IsEnum || recordType == typeof(string) || recordType == typeof(decimal))
        {
            throw new ArgumentException(
                $"{nameof(CsvDataset)} saves records with properties (or dictionaries), not plain {TypeNames.Describe(recordType)} values.");
        }

        var shape = CsvRecordShape.For(recordType);
        if (shape.Columns.Count == 0)
        {
            throw new InvalidOperationException($"{TypeNames.Describe(recordType)} has no public properties to write as CSV columns.");
        }

        return ([.. shape.Columns], records.Cast<object?>().Select((record, index) => record is null
            ? throw new ArgumentException($"record {index + 1} is null.")
            : shape.Format(record)));
    }

    private static List<KeyValuePair<string, object?>> Entries(IDictionary dictionary)
    {
        // IDictionaryEnumerator, because a generic dictionary's plain enumerator yields KeyValuePairs, not DictionaryEntries.
        var entries = new List<KeyValuePair<string, object?>>(dictionary.Count);
        var enumerator = dictionary.GetEnumerator();
        while (enumerator.MoveNext())
        {
            entries.Add(KeyValuePair.Create(Convert.ToString(enumerator.Key, CultureInfo.InvariantCulture) ?? string.Empty, enumerator.Value));
        }

        return entries;
    }

    private static (string[] Columns, IEnumerable<string[]> Rows) FormatDictionaries(IEnumerable records)
    {
        var rows = new List<List<KeyValuePair<string, object?>>>();
        var columns = new List<string>();
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            List<KeyValuePair<string, object?>> pairs = record switch
            {
                IDictionary dictionary => Entries(dictionary),
                IEnumerable<KeyValuePair<string, object?>> objects => [.. objects],
                IEnumerable<KeyValuePair<string, string>> strings => [.. strings.Select(p => KeyValuePair.Create(p.Key, (object?)p.Value))],
                _ => throw new ArgumentException($"record {rows.Count + 1} is {(record is null ? "null" : TypeNames.Describe(record.GetType()))}, not a dictionary."),
            };
            foreach (var (key, _) in pairs)
            {
                if (indexes.TryAdd(key, columns.Count))
                {
                    columns.Add(key);
                }
            }

            rows.Add(pairs);
        }

        return ([.. columns], rows.Select(pairs =>
        {
            var fields = new string[columns.Count];
            Array.Fill(fields, string.Empty);
            foreach (var (key, value) in pairs)
            {
                fields[indexes[key]] = CsvRecordShape.FormatValue(value);
            }

            return fields;
        }));
    }
}
