using System.Globalization;
using System.Text;

namespace PipelineRunner.Catalog.Configuration;

/// <summary>What interpolations a kind of configuration may use, and where its values come from.</summary>
internal sealed class InterpolationScope
{
    /// <summary>The kind of configuration (<c>catalog</c>, <c>parameters</c>, <c>credentials</c>, <c>globals</c>), for messages.</summary>
    public required string Kind { get; init; }

    /// <summary>The globals for <c>${globals:key}</c>; <see langword="null"/> where the resolver is not allowed (in globals themselves).</summary>
    public Func<IReadOnlyDictionary<string, object?>>? Globals { get; init; }

    /// <summary>The runtime parameters for <c>${runtime_params:key}</c>; <see langword="null"/> where the resolver is not allowed (in globals).</summary>
    public IReadOnlyDictionary<string, object?>? RuntimeParameters { get; init; }

    /// <summary>Told each key a <c>${runtime_params:key}</c> reads, found or not.</summary>
    public Action<string>? RuntimeParameterRead { get; init; }

    /// <summary>Whether <c>${oc.env:VAR}</c> may read environment variables (only in credentials, as Kedro).</summary>
    public bool AllowEnvironment { get; init; }

    /// <summary>Whether values are secret: messages then never quote the text being resolved.</summary>
    public bool Secret { get; init; }

    /// <summary>Where a top-level key was read from, for messages (a file name in quotes, or a description).</summary>
    public required Func<string, string> SourceOf { get; init; }
}

/// <summary>
/// Resolves OmegaConf-style interpolation as Kedro's <c>OmegaConfigLoader</c> does: <c>${a.b}</c> references another
/// key of the same configuration (a leading dot makes it relative to the containing mapping), <c>${globals:key}</c>,
/// <c>${runtime_params:key}</c> and, in credentials only, <c>${oc.env:VAR}</c>, each with an optional default after a
/// comma. A value that is exactly one interpolation takes the referenced value with its type; interpolations inside a
/// longer string are replaced by their text. <c>\${</c> is a literal <c>${</c>.
/// </summary>
internal sealed class ConfigInterpolation
{
    private const string Separator = "\u0000";

    private readonly Dictionary<string, object?> _root;
    private readonly InterpolationScope _scope;
    private readonly Dictionary<string, object?> _resolved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);

    private ConfigInterpolation(Dictionary<string, object?> root, InterpolationScope scope)
    {
        _root = root;
        _scope = scope;
    }

    /// <summary>Whether a tree holds any <c>${</c> at all (most configuration does not, and is returned as it is).</summary>
    public static bool HasInterpolation(object? value) => value switch
    {
        string text => text.Contains("${", StringComparison.Ordinal),
        Dictionary<string, object?> mapping => mapping.Values.Any(HasInterpolation),
        List<object?> list => list.Any(HasInterpolation),
        _ => false,
    };

    /// <summary>Resolves every interpolation of <paramref name="root"/> into a new tree.</summary>
    /// <exception cref="CatalogConfigurationException">A reference is missing, circular or not allowed here; the message names the file and the key.</exception>
    public static Dictionary<string, object?> Resolve(Dictionary<string, object?> root, InterpolationScope scope)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!HasInterpolation(root))
        {
            return root;
        }

        var resolver = new ConfigInterpolation(root, scope);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in root.Keys)
        {
            result[key] = resolver.ResolveAt([key]);
        }

        return result;
    }

    /// <summary>The resolved value at a path of the original tree (which must exist there).</summary>
    private object? ResolveAt(IReadOnlyList<string> path)
    {
        var id = string.Join(Separator, path);
        if (_resolved.TryGetValue(id, out var done))
        {
            return Copy(done);
        }

        if (!_resolving.Add(id))
        {
            throw Error(path, null, $"'{string.Join('.', path)}' refers to itself through a chain of interpolations");
        }

        try
        {
            var raw = Navigate(path);
            object? value = raw switch
            {
                string text => ResolveString(text, path),
                Dictionary<string, object?> mapping => mapping.Keys.ToDictionary(k => k, k => ResolveAt([.. path, k]), StringComparer.Ordinal),
                List<object?> list => Enumerable.Range(0, list.Count).Select(i => ResolveAt([.. path, i.ToString(CultureInfo.InvariantCulture)])).ToList(),
                _ => raw,
            };
            _resolved[id] = value;
            return Copy(value);
        }
        finally
        {
            _resolving.Remove(id);
        }
    }

    /// <summary>The raw node at a path known to exist in the original tree.</summary>
    private object? Navigate(IReadOnlyList<string> path)
    {
        object? node = _root;
        foreach (var segment in path)
        {
            node = node switch
            {
                Dictionary<string, object?> mapping => mapping[segment],
                List<object?> list => list[int.Parse(segment, CultureInfo.InvariantCulture)],
                _ => throw new InvalidOperationException("The path does not exist."),
            };
        }

        return node;
    }

    private object? ResolveString(string text, IReadOnlyList<string> path)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return text;
        }

        var expressions = Split(text, path);
        if (expressions is [{ IsExpression: true } single])
        {
            return Evaluate(single.Text, path);
        }

        var builder = new StringBuilder();
        foreach (var part in expressions)
        {
            if (!part.IsExpression)
            {
                builder.Append(part.Text);
                continue;
            }

            var value = Evaluate(part.Text, path);
            if (value is Dictionary<string, object?> or List<object?>)
            {
                throw Error(path, part.Text, $"it is {ConfigurationTree.DescribeValue(value)}, which cannot be part of a longer string");
            }

            builder.Append(ToText(value));
        }

        return builder.ToString();
    }

    /// <summary>Splits a string into literal text and <c>${...}</c> expressions (inner text, braces excluded).</summary>
    private List<(bool IsExpression, string Text)> Split(string text, IReadOnlyList<string> path)
    {
        var parts = new List<(bool, string)>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '\\' && i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{')
            {
                literal.Append("${");
                i += 3;
                continue;
            }

            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = FindClose(text, i + 2);
                if (end < 0)
                {
                    throw Error(path, null, "an interpolation '${' is not closed with '}'");
                }

                if (literal.Length > 0)
                {
                    parts.Add((false, literal.ToString()));
                    literal.Clear();
                }

                parts.Add((true, text[(i + 2)..end]));
                i = end + 1;
                continue;
            }

            literal.Append(text[i]);
            i++;
        }

        if (literal.Length > 0)
        {
            parts.Add((false, literal.ToString()));
        }

        return parts;
    }

    /// <summary>The index of the <c>}</c> closing an expression starting at <paramref name="start"/>, skipping nested braces and quoted text.</summary>
    private static int FindClose(string text, int start)
    {
        var depth = 0;
        char? quote = null;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (InQuote(text, ref i, ref quote))
            {
                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '{': // a nested ${...}, or a dataset factory placeholder such as {name} in a default
                    depth++;
                    break;
                case '}' when depth == 0:
                    return i;
                case '}':
                    depth--;
                    break;
            }
        }

        return -1;
    }

    /// <summary>Evaluates the inside of one <c>${...}</c>: a reference or a resolver call.</summary>
    private object? Evaluate(string expression, IReadOnlyList<string> path)
    {
        var trimmed = expression.Trim();
        var colon = ResolverColon(trimmed);
        if (colon < 0)
        {
            return Reference(ResolveNested(trimmed, path), path, expression);
        }

        var resolver = trimmed[..colon].Trim();
        var arguments = SplitArguments(trimmed[(colon + 1)..]);
        var key = arguments.Count > 0 ? ToText(ResolveNested(arguments[0], path)) : string.Empty;
        var hasDefault = arguments.Count > 1;
        if (arguments.Count > 2 || key.Length == 0)
        {
            throw Error(path, expression, $"the {resolver} resolver takes a key and an optional default, as ${{{resolver}:key, default}}");
        }

        switch (resolver)
        {
            case "globals":
                if (_scope.Globals is null)
                {
                    throw Error(path, expression, "the globals: resolver is not supported in globals themselves");
                }

                if (key.StartsWith('_'))
                {
                    throw Error(path, expression, "keys starting with '_' are not supported for globals");
                }

                return Select(_scope.Globals(), key, out var global) ? Copy(global)
                    : hasDefault ? Default(arguments[1], path)
                    : throw Error(path, expression, $"globals key '{key}' not found and no default value provided");
            case "runtime_params":
                if (_scope.RuntimeParameters is null)
                {
                    throw Error(path, expression, "the runtime_params: resolver is not supported for globals");
                }

                _scope.RuntimeParameterRead?.Invoke(key);

                return Select(_scope.RuntimeParameters, key, out var runtime) ? Copy(runtime)
                    : hasDefault ? Default(arguments[1], path)
                    : throw Error(path, expression, $"runtime parameter '{key}' not found and no default value provided");
            case "oc.env":
                if (!_scope.AllowEnvironment)
                {
                    throw Error(path, expression, "oc.env is only allowed in credentials, as environment variables may hold secrets; read other values with ${globals:...} or ${runtime_params:...}");
                }

                var variable = Environment.GetEnvironmentVariable(key);
                if (variable is not null)
                {
                    return variable;
                }

                if (!hasDefault)
                {
                    throw Error(path, expression, $"environment variable '{key}' is not set and no default value provided");
                }

                // As OmegaConf's oc.env: a default is a string, except null.
                var fallback = Default(arguments[1], path);
                return fallback is null ? null : ToText(fallback);
            default:
                throw Error(path, expression, $"unsupported interpolation type '{resolver}'; supported: globals, runtime_params, oc.env (credentials only)");
        }
    }

    /// <summary>The colon after a resolver name (<c>globals:</c>, <c>oc.env:</c>), or -1 for a plain reference.</summary>
    private static int ResolverColon(string expression)
    {
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (c == ':')
            {
                return i;
            }

            if (!(char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or ' '))
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>Splits resolver arguments at top-level commas (not inside quotes or braces).</summary>
    private static List<string> SplitArguments(string text)
    {
        var arguments = new List<string>();
        var depth = 0;
        char? quote = null;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (InQuote(text, ref i, ref quote))
            {
                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                arguments.Add(text[start..i].Trim());
                start = i + 1;
            }
        }

        arguments.Add(text[start..].Trim());
        return arguments;
    }

    /// <summary>Text that may itself hold interpolations (a key built from another value), resolved.</summary>
    private object? ResolveNested(string text, IReadOnlyList<string> path) =>
        text.Contains("${", StringComparison.Ordinal) ? ResolveString(text, path) : text;

    /// <summary>A default value: quoted text is a string; otherwise null, a boolean, a number or a string, as OmegaConf reads it.</summary>
    private object? Default(string text, IReadOnlyList<string> path)
    {
        if (text.Length >= 2 && (text[0] is '\'' or '"') && text[^1] == text[0])
        {
            return text[1..^1].Replace("\\" + text[0], text[0].ToString(), StringComparison.Ordinal);
        }

        if (text.Contains("${", StringComparison.Ordinal))
        {
            return ResolveString(text, path);
        }

        return text switch
        {
            "null" or "~" or "" => null,
            _ when bool.TryParse(text, out var flag) => flag,
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => whole,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) => real,
            _ => text,
        };
    }

    /// <summary>A reference to another key: absolute (<c>a.b</c>, <c>a[0]</c>) or relative to the containing mapping (<c>.b</c>, <c>..b</c>).</summary>
    private object? Reference(object? target, IReadOnlyList<string> path, string expression)
    {
        var text = ToText(target);
        var segments = new List<string>();
        var container = path.Take(path.Count - 1).ToList();
        var relative = text.StartsWith('.');
        if (relative)
        {
            var dots = text.TakeWhile(c => c == '.').Count();
            if (dots - 1 > container.Count)
            {
                throw Error(path, expression, $"the relative reference '{text}' goes above the top of the {_scope.Kind}");
            }

            segments.AddRange(container.Take(container.Count - (dots - 1)));
            text = text[dots..];
        }

        foreach (var part in text.Replace("[", ".", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal).Split('.'))
        {
            if (part.Length == 0)
            {
                throw Error(path, expression, $"'{text}' is not a key path such as a.b or a[0]");
            }

            segments.Add(part);
        }

        // Walk the original tree as far as it goes; a step into an interpolated value continues in its resolved value.
        object? node = _root;
        for (var depth = 0; depth < segments.Count; depth++)
        {
            if (!TryChild(node, segments[depth], out var child))
            {
                throw Error(path, expression, $"key '{string.Join('.', segments)}' not found in the {_scope.Kind}{Suggestion(node, segments[depth])}");
            }

            if (depth == segments.Count - 1 || child is string)
            {
                var resolved = ResolveAt(segments.Take(depth + 1).ToList());
                return SelectWithin(resolved, segments.Skip(depth + 1).ToList(), out var value)
                    ? value
                    : throw Error(path, expression, $"key '{string.Join('.', segments)}' not found in the {_scope.Kind}");
            }

            node = child;
        }

        return null;
    }

    private static string Suggestion(object? node, string missing) =>
        node is Dictionary<string, object?> mapping && Pipelines.Internal.CloseNames.Find(missing, mapping.Keys) is { Count: > 0 } close
            ? $"; did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?"
            : string.Empty;

    private static bool TryChild(object? node, string segment, out object? child)
    {
        child = null;
        switch (node)
        {
            case Dictionary<string, object?> mapping:
                return mapping.TryGetValue(segment, out child);
            case List<object?> list when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Count:
                child = list[index];
                return true;
            default:
                return false;
        }
    }

    private static bool SelectWithin(object? node, IReadOnlyList<string> segments, out object? value)
    {
        value = node;
        foreach (var segment in segments)
        {
            if (!TryChild(value, segment, out value))
            {
                return false;
            }
        }

        value = Copy(value);
        return true;
    }

    /// <summary>A dotted key (<c>a.b</c>) in a tree of resolved values (globals, runtime parameters).</summary>
    private static bool Select(IReadOnlyDictionary<string, object?> root, string key, out object? value)
    {
        value = null;
        object? node = root;
        foreach (var segment in key.Split('.'))
        {
            switch (node)
            {
                case IReadOnlyDictionary<string, object?> mapping when mapping.TryGetValue(segment, out var child):
                    node = child;
                    break;
                case List<object?> list when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Count:
                    node = list[index];
                    break;
                default:
                    return false;
            }
        }

        value = node;
        return true;
    }

    /// <summary>A deep copy of mappings and lists, so no two places of a tree share one mutable object.</summary>
    private static object? Copy(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> mapping => mapping.ToDictionary(p => p.Key, p => Copy(p.Value), StringComparer.Ordinal),
        List<object?> list => list.Select(Copy).ToList(),
        _ => value,
    };

    /// <summary>A value as text inside a string, as Python's <c>str</c> writes it (OmegaConf's string interpolation).</summary>
    private static string ToText(object? value) => value switch
    {
        null => "None",
        string text => text,
        bool flag => flag ? "True" : "False",
        double real when double.IsNaN(real) => "nan",
        double real when double.IsInfinity(real) => real > 0 ? "inf" : "-inf",
        double real when real == Math.Floor(real) && Math.Abs(real) < 1e16 => real.ToString("F1", CultureInfo.InvariantCulture),
        double real => real.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>One line naming the file, the key and the interpolation (never quoted for secrets).</summary>
    private CatalogConfigurationException Error(IReadOnlyList<string> path, string? expression, string reason)
    {
        var what = expression is null || _scope.Secret ? "interpolation" : $"'${{{expression}}}'";
        return new CatalogConfigurationException(
            $"Cannot resolve {what} in {_scope.SourceOf(path[0])} at '{string.Join('.', path)}': {reason}{(reason.EndsWith('?') ? string.Empty : ".")}");
    }

    /// <summary>
    /// Inside a quoted string (<paramref name="quote"/> set): steps over an escaped character and ends the quote at its
    /// closing character. True while the character at <paramref name="i"/> belongs to the quote.
    /// </summary>
    private static bool InQuote(string text, ref int i, ref char? quote)
    {
        if (quote is null)
        {
            return false;
        }

        if (text[i] == '\\')
        {
            i++;
        }
        else if (text[i] == quote)
        {
            quote = null;
        }

        return true;
    }
}
