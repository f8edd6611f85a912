using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// Turns a loaded value into the type a node's parameter declares. Values that already fit pass through untouched;
/// configuration values (parameters parsed from YAML/JSON, numbers, strings, JSON trees) are converted. Conversions
/// never round: a number with a fraction (or not finite) does not convert to a whole-number type, and numbers out of
/// range are refused.
/// </summary>
internal static class ValueConverter
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
        PropertyNameCaseInsensitive = true,
    };

    /// <summary>Whether a value of <paramref name="produced"/> can be passed to a parameter of <paramref name="consumed"/>.</summary>
    public static bool AreCompatible(Type produced, Type consumed)
    {
        if (consumed == typeof(object) || produced == typeof(object) || consumed.IsAssignableFrom(produced))
        {
            return true;
        }

        var underlying = Nullable.GetUnderlyingType(consumed);
        if (underlying is not null && underlying.IsAssignableFrom(produced))
        {
            return true;
        }

        // A value of a non-sealed declared type may at run time be an instance of the consumer's type.
        return !produced.IsValueType && !produced.IsSealed && produced.IsAssignableFrom(consumed);
    }

    /// <summary>Converts <paramref name="value"/> to <paramref name="target"/>, or explains why it cannot.</summary>
    public static bool TryConvert(object? value, Type target, out object? converted, out string? problem)
    {
        problem = null;
        converted = value;
        if (value is null)
        {
            if (target.IsValueType && Nullable.GetUnderlyingType(target) is null)
            {
                problem = $"the value is null but {TypeNames.Describe(target)} does not accept null";
                return false;
            }

            return true;
        }

        if (target.IsInstanceOfType(value))
        {
            return true;
        }

        try
        {
            var effective = Nullable.GetUnderlyingType(target) ?? target;
            if (effective.IsEnum && value is string text)
            {
                converted = Enum.Parse(effective, text, ignoreCase: true);
                return true;
            }

            if (effective.IsEnum && value is IConvertible)
            {
                converted = Enum.ToObject(effective, value);
                return true;
            }

            if (IsWholeNumberType(effective) && value is double or float or decimal && !IsWholeNumber(value))
            {
                // Convert.ChangeType would round 2.5 to 2: a parameter meant as a fraction must not silently change.
                problem = $"{Convert.ToString(value, CultureInfo.InvariantCulture)} is not a whole number, so it does not convert to {TypeNames.Describe(target)}";
                return false;
            }

            if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(effective) && effective != typeof(object))
            {
                converted = Convert.ChangeType(value, effective, CultureInfo.InvariantCulture);
                return true;
            }

            if (value is JsonElement element)
            {
                converted = element.Deserialize(target, JsonOptions);
                return true;
            }

            if (value is JsonNode node)
            {
                converted = node.Deserialize(target, JsonOptions);
                return true;
            }

            if (value is IDictionary or IList)
            {
                // Configuration trees (parameters) bind to typed records and collections through JSON; keys in
                // snake_case (Kedro's style), camelCase or PascalCase all bind to .NET property names.
                var json = JsonSerializer.SerializeToUtf8Bytes(WithPascalKeys(value), JsonOptions);
                converted = JsonSerializer.Deserialize(json, target, JsonOptions);
                return true;
            }
        }
        catch (JsonException ex)
        {
            // System.Text.Json's message ends with "Path: $.Seed | LineNumber: 0 | BytePositionInLine: 12": say the member instead.
            var message = ex.Message.IndexOf(" Path: ", StringComparison.Ordinal) is var cut and >= 0 ? ex.Message[..cut] : ex.Message;
            var member = ex.Path is { Length: > 2 } path ? $" at '{path[2..]}'" : string.Empty;
            problem = $"converting {TypeNames.Describe(value.GetType())} to {TypeNames.Describe(target)} failed{member}: {message}";
            return false;
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or ArgumentException or NotSupportedException)
        {
            problem = $"converting {TypeNames.Describe(value.GetType())} to {TypeNames.Describe(target)} failed: {ex.Message}";
            return false;
        }

        problem = $"expected {TypeNames.Describe(target)} but the value is {TypeNames.Describe(value.GetType())}";
        return false;
    }

    private static bool IsWholeNumberType(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte);

    private static bool IsWholeNumber(object number) => number switch
    {
        double d => double.IsInteger(d),
        float f => float.IsInteger(f),
        decimal m => decimal.IsInteger(m),
        _ => true,
    };

    private static object? WithPascalKeys(object? value)
    {
        switch (value)
        {
            case IDictionary dictionary:
                var result = new Dictionary<string, object?>(dictionary.Count, StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dictionary)
                {
                    result[ToPascal(entry.Key.ToString() ?? string.Empty)] = WithPascalKeys(entry.Value);
                }

                return result;
            case IList list and not Array { Rank: > 1 }:
                var items = new List<object?>(list.Count);
                foreach (var item in list)
                {
                    items.Add(WithPascalKeys(item));
                }

                return items;
            default:
                return value;
        }
    }

    private static string ToPascal(string key)
    {
        var builder = new System.Text.StringBuilder(key.Length);
        var upper = true;
        foreach (var c in key)
        {
            if (c is '_' or '-' or ' ')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.ToString();
    }

    /// <summary>A type as C# spells it, for packages that see the core's internals (the app host).</summary>
    /// <param name="type">Any type.</param>
    /// <returns>For example <c>List&lt;Int32&gt;</c>.</returns>
    public static string Describe(Type type) => TypeNames.Describe(type);
}
