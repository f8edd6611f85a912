using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace PipelineRunner.Datasets;

/// <summary>
/// How a record type maps to CSV columns, found by reflection: it writes one column per public readable property (in
/// declaration order) and reads through its public parameterless constructor and settable properties, or through the
/// public constructor with the most parameters (records) plus the settable properties it does not cover. Columns
/// match members by name, ignoring case. Values are formatted and parsed with the invariant culture.
/// </summary>
internal sealed class CsvRecordShape
{
    private static readonly ConcurrentDictionary<Type, CsvRecordShape> Cache = new();

    private readonly PropertyInfo[] _columns;
    private readonly ConstructorInfo? _constructor;
    private readonly ParameterInfo[] _parameters;
    private readonly PropertyInfo[] _settable;

    private CsvRecordShape(Type type)
    {
        Type = type;
        _columns = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetMethod!.IsPublic && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken)];
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        _constructor = constructors.FirstOrDefault(c => c.GetParameters().Length == 0)
            ?? constructors.OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        _parameters = _constructor?.GetParameters() ?? [];
        _settable = [.. _columns.Where(p => p.SetMethod is { IsPublic: true }
            && !_parameters.Any(a => string.Equals(a.Name, p.Name, StringComparison.OrdinalIgnoreCase)))];
        Columns = [.. _columns.Select(p => p.Name)];
    }

    /// <summary>The record type.</summary>
    public Type Type { get; }

    /// <summary>The names of the columns written, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The shape of <paramref name="type"/>.</summary>
    public static CsvRecordShape For(Type type) => Cache.GetOrAdd(type, t => new CsvRecordShape(t));

    /// <summary>The fields of a record, formatted.</summary>
    public string[] Format(object record)
    {
        var fields = new string[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            fields[i] = FormatValue(_columns[i].GetValue(record));
        }

        return fields;
    }

    /// <summary>Creates a reader of records from rows with the given header (or, without one, in <see cref="Columns"/> order).</summary>
    /// <param name="header">The header, or <see langword="null"/> when the file has none.</param>
    /// <returns>A function from the fields of a row to a record.</returns>
    public Func<IReadOnlyList<string>, object> CreateReader(IReadOnlyList<string>? header)
    {
        if (_constructor is null)
        {
            throw new InvalidOperationException($"{TypeNames.Describe(Type)} has no public constructor to create records with.");
        }

        var available = header?.Select((name, index) => (name: name.Trim(), index)).ToList()
            ?? Columns.Select((name, index) => (name, index)).ToList();
        int IndexOf(string member, Type memberType)
        {
            if (!IsParsable(memberType))
            {
                throw new InvalidOperationException(
                    $"member '{member}' of {TypeNames.Describe(Type)} has type {TypeNames.Describe(memberType)}, which cannot be read from a CSV field");
            }

            var exact = available.FindIndex(c => c.name == member);
            var found = exact >= 0 ? exact : available.FindIndex(c => string.Equals(c.name, member, StringComparison.OrdinalIgnoreCase));
            return found >= 0
                ? available[found].index
                : throw new InvalidOperationException(header is null
                    ? $"member '{member}' of {TypeNames.Describe(Type)} has no column"
                    : $"column '{member}' required by {TypeNames.Describe(Type)} is not in the header [{string.Join(", ", header)}]");
        }

        var parameters = _parameters.Select(p => (p.Name!, p.ParameterType, IndexOf(p.Name!, p.ParameterType))).ToArray();
        var properties = _settable.Select(p => (p, IndexOf(p.Name, p.PropertyType))).ToArray();
        return fields =>
        {
            var arguments = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                arguments[i] = Parse(fields, parameters[i].Item3, parameters[i].Item1, parameters[i].ParameterType);
            }

            var record = _constructor.Invoke(arguments);
            foreach (var (property, index) in properties)
            {
                property.SetValue(record, Parse(fields, index, property.Name, property.PropertyType));
            }

            return record;
        };
    }

    /// <summary>Formats a value as a CSV field, with the invariant culture (round-trip formats for dates and times).</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        DateTime dateTime => dateTime.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dateTimeOffset => dateTimeOffset.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => TypeDescriptor.GetConverter(value.GetType()).ConvertToInvariantString(value) ?? string.Empty,
    };

    private static bool IsParsable(Type type)
    {
        var effective = Nullable.GetUnderlyingType(type) ?? type;
        return effective == typeof(string) || TypeDescriptor.GetConverter(effective).CanConvertFrom(typeof(string));
    }

    private static object? Parse(IReadOnlyList<string> fields, int index, string member, Type type)
    {
        var text = index < fields.Count ? fields[index] : string.Empty;
        if (type == typeof(string))
        {
            return text;
        }

        var underlying = Nullable.GetUnderlyingType(type);
        if (text.Length == 0 && (underlying is not null || !type.IsValueType))
        {
            return null;
        }

        var effective = underlying ?? type;
        try
        {
            return effective == typeof(DateTime) ? DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                : effective == typeof(DateTimeOffset) ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                : TypeDescriptor.GetConverter(effective).ConvertFromInvariantString(text);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            throw new FormatException(
                $"cannot read '{text}' as {TypeNames.Describe(type)} for member '{member}': {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }
}
