using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Parquet.Schema;

namespace PipelineRunner.Datasets;

/// <summary>
/// How <see cref="ParquetDataset"/> builds records that Parquet.Net's typed deserializer cannot (it needs a public
/// parameterless constructor): positional records and other types whose values go through a constructor. Rows read
/// without a type (column name → value) are bound to the public constructor with the most parameters, then to the
/// settable properties it does not cover. Columns match members by name, exactly or else ignoring case, as
/// <see cref="CsvRecordShape"/> does. Every constructor parameter without a default value needs a column; a property
/// is set when its column exists. Nested records and lists bind the same way, from the file's schema.
/// </summary>
internal sealed class ParquetRecordShape
{
    private static readonly ConcurrentDictionary<Type, ParquetRecordShape> Cache = new();

    private readonly ConstructorInfo? _constructor;
    private readonly ParameterInfo[] _parameters;
    private readonly PropertyInfo[] _settable;

    private ParquetRecordShape(Type type)
    {
        Type = type;
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        _constructor = constructors.FirstOrDefault(c => c.GetParameters().Length == 0)
            ?? constructors.OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        _parameters = _constructor?.GetParameters() ?? [];
        _settable = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0
                && !_parameters.Any(a => string.Equals(a.Name, p.Name, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(p => p.MetadataToken)];
    }

    /// <summary>The record type.</summary>
    public Type Type { get; }

    /// <summary>
    /// Whether Parquet.Net's typed deserializer can build the type itself: a class with a public parameterless
    /// constructor.
    /// </summary>
    public static bool IsSettableClass(Type type) => type is { IsValueType: false, IsAbstract: false } && type.GetConstructor(Type.EmptyTypes) is not null;

    /// <summary>The shape of <paramref name="type"/>.</summary>
    public static ParquetRecordShape For(Type type) => Cache.GetOrAdd(type, t => new ParquetRecordShape(t));

    /// <summary>Creates a reader of records from rows of a file whose top-level fields are <paramref name="fields"/>.</summary>
    /// <param name="fields">The fields (columns, structs, lists) of the file or of the enclosing struct.</param>
    /// <returns>A function from a row (column name → value; null values may be absent) to a record.</returns>
    /// <exception cref="InvalidOperationException">
    /// The type cannot be created, or a column it needs is missing or holds values of another kind; the message names
    /// the type and the member.
    /// </exception>
    public Func<IDictionary<string, object>, object> CreateReader(IReadOnlyList<Field> fields)
    {
        if (Type.IsAbstract || Type.IsInterface)
        {
            throw new InvalidOperationException($"{TypeNames.Describe(Type)} is abstract, so records of it cannot be created.");
        }

        if (_constructor is null && !Type.IsValueType)
        {
            throw new InvalidOperationException($"{TypeNames.Describe(Type)} has no public constructor to create records with.");
        }

        var parameters = new Binding?[_parameters.Length];
        var defaults = new object?[_parameters.Length];
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            var field = Find(fields, parameter.Name!);
            if (field is null && !parameter.HasDefaultValue)
            {
                throw new InvalidOperationException(
                    $"{TypeNames.Describe(Type)} needs column '{parameter.Name}' for its constructor parameter '{parameter.Name}', "
                    + $"but the file has only [{string.Join(", ", fields.Select(f => f.Name))}].");
            }

            parameters[i] = field is null ? null : Bind(field, parameter.Name!, parameter.ParameterType);
            defaults[i] = parameter.HasDefaultValue && parameter.DefaultValue is null && parameter.ParameterType.IsValueType
                ? Activator.CreateInstance(parameter.ParameterType)
                : parameter.DefaultValue;
        }

        var properties = _settable
            .Select(p => (Property: p, Field: Find(fields, p.Name)))
            .Where(p => p.Field is not null)
            .Select(p => (p.Property, Binding: Bind(p.Field!, p.Property.Name, p.Property.PropertyType)))
            .ToArray();
        var constructor = _constructor;
        var type = Type;
        return row =>
        {
            object record;
            if (constructor is null)
            {
                record = Activator.CreateInstance(type)!; // a struct without declared constructors
            }
            else
            {
                var arguments = new object?[parameters.Length];
                for (var i = 0; i < parameters.Length; i++)
                {
                    arguments[i] = parameters[i] is { } binding ? binding.Read(row) : defaults[i];
                }

                record = constructor.Invoke(BindingFlags.DoNotWrapExceptions, null, arguments, null);
            }

            foreach (var (property, binding) in properties)
            {
                property.SetValue(record, binding.Read(row), BindingFlags.DoNotWrapExceptions, null, null, null);
            }

            return record;
        };
    }

    private static Field? Find(IReadOnlyList<Field> fields, string member)
    {
        Field? caseless = null;
        foreach (var field in fields)
        {
            if (field.Name == member)
            {
                return field;
            }

            if (caseless is null && string.Equals(field.Name, member, StringComparison.OrdinalIgnoreCase))
            {
                caseless = field;
            }
        }

        return caseless;
    }

    private Binding Bind(Field field, string member, Type memberType) =>
        new(field.Name, member, this, memberType, CreateConverter(field, field.Name, member, memberType), field is ListField);

    /// <summary>A converter from a value the untyped reader produced for <paramref name="field"/> (of <paramref name="column"/>) to <paramref name="target"/>.</summary>
    private Func<object, object?> CreateConverter(Field field, string column, string member, Type target)
    {
        var effective = Nullable.GetUnderlyingType(target) ?? target;
        switch (field)
        {
            case DataField:
                if (!IsScalar(effective))
                {
                    throw Mismatch(column, member, target, "single values");
                }

                return value => ConvertScalar(value, effective, column, member);
            case ListField list:
                var elementType = effective == typeof(string) ? null : RecordCollections.GetElementType(effective);
                if (elementType is null)
                {
                    throw new InvalidOperationException(
                        $"member '{member}' of {TypeNames.Describe(Type)} is {TypeNames.Describe(target)}, but column '{column}' holds lists, "
                        + $"which load into {RecordCollections.SupportedShapes}.");
                }

                var item = CreateConverter(list.Item, column, member, elementType);
                var itemAcceptsNull = !elementType.IsValueType || Nullable.GetUnderlyingType(elementType) is not null;
                return value =>
                {
                    var items = RecordCollections.CreateList(elementType);
                    foreach (var element in (IEnumerable)value)
                    {
                        items.Add(element is null
                            ? (itemAcceptsNull ? null : throw new FormatException($"column '{column}' holds a null item, but member '{member}' of {TypeNames.Describe(Type)} is {TypeNames.Describe(target)}"))
                            : item(element));
                    }

                    return RecordCollections.ToRequested(items, elementType, effective);
                };
            case StructField nested:
                if (IsScalar(effective) || RecordCollections.GetElementType(effective) is not null)
                {
                    throw Mismatch(column, member, target, "nested records");
                }

                var reader = For(effective).CreateReader(nested.Fields);
                return value => reader((IDictionary<string, object>)value);
            default:
                throw Mismatch(column, member, target, "maps");
        }
    }

    private InvalidOperationException Mismatch(string column, string member, Type target, string kind) =>
        new($"member '{member}' of {TypeNames.Describe(Type)} is {TypeNames.Describe(target)}, but column '{column}' holds {kind}.");

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateOnly)
        || type == typeof(TimeOnly) || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(byte[]);

    /// <summary>
    /// Converts a single value as the untyped reader gives it (the column's own type; dates as <see cref="DateTime"/>,
    /// times of day as ticks, enums as their numbers, text possibly as <see cref="ReadOnlyMemory{T}"/>) to the member's type.
    /// Whole numbers convert to other numeric types when they fit; nothing is rounded.
    /// </summary>
    private object ConvertScalar(object value, Type target, string column, string member)
    {
        if (target.IsInstanceOfType(value))
        {
            return value;
        }

        switch (value)
        {
            case ReadOnlyMemory<char> text when target == typeof(string):
                return text.ToString();
            case ReadOnlyMemory<byte> bytes when target == typeof(byte[]):
                return bytes.ToArray();
            case DateTime dateTime when target == typeof(DateOnly):
                return DateOnly.FromDateTime(dateTime);
            case long ticks when target == typeof(TimeOnly):
                return new TimeOnly(ticks);
            case TimeSpan span when target == typeof(TimeOnly):
                return TimeOnly.FromTimeSpan(span);
        }

        var whole = value is sbyte or byte or short or ushort or int or uint or long or ulong;
        try
        {
            if (target.IsEnum && whole)
            {
                return Enum.ToObject(target, value);
            }

            if (whole && (IsWhole(target) || target == typeof(double) || target == typeof(float) || target == typeof(decimal))
                || value is float && target == typeof(double))
            {
                return Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
            }
        }
        catch (OverflowException)
        {
            throw new FormatException(
                $"column '{column}' holds {Convert.ToString(value, CultureInfo.InvariantCulture)}, which does not fit member '{member}' of {TypeNames.Describe(Type)} ({TypeNames.Describe(target)})");
        }

        throw new FormatException(
            $"column '{column}' holds {TypeNames.Describe(value switch { ReadOnlyMemory<char> => typeof(string), ReadOnlyMemory<byte> => typeof(byte[]), _ => value.GetType() })} values, which do not convert to member '{member}' of {TypeNames.Describe(Type)} ({TypeNames.Describe(target)})");
    }

    private static bool IsWhole(Type type) =>
        type == typeof(sbyte) || type == typeof(byte) || type == typeof(short) || type == typeof(ushort)
        || type == typeof(int) || type == typeof(uint) || type == typeof(long) || type == typeof(ulong);

    /// <summary>A member bound to a column: reads the column's value from a row and converts it.</summary>
    /// <remarks>
    /// Parquet.Net writes an empty list and a null list alike (both read back as no value), so a list member reads a
    /// missing value as an empty collection rather than null.
    /// </remarks>
    private sealed class Binding(string column, string member, ParquetRecordShape owner, Type memberType, Func<object, object?> convert, bool isList)
    {
        private readonly bool _acceptsNull = !memberType.IsValueType || Nullable.GetUnderlyingType(memberType) is not null;

        public object? Read(IDictionary<string, object> row)
        {
            if (row.TryGetValue(column, out var value) && value is not null)
            {
                return convert(value);
            }

            if (isList)
            {
                return convert(Array.Empty<object>());
            }

            return _acceptsNull
                ? null
                : throw new FormatException(
                    $"column '{column}' is null, but member '{member}' of {TypeNames.Describe(owner.Type)} is {TypeNames.Describe(memberType)}, which cannot be null");
        }
    }
}
