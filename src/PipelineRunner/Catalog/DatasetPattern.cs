using System.Text;
using System.Text.RegularExpressions;

namespace PipelineRunner.Catalog;

/// <summary>
/// A dataset factory pattern such as <c>{name}_csv</c> or <c>{layer}.{name}</c>: matches whole dataset names and
/// captures the placeholders. Patterns order by Kedro's specificity: more literal characters first, then more
/// placeholders, then alphabetically; a pattern made only of a placeholder (a catch-all) comes last.
/// </summary>
public sealed partial class DatasetPattern : IComparable<DatasetPattern>
{
    private readonly Regex _regex;
    private readonly string[] _placeholders;

    /// <summary>Parses a pattern.</summary>
    /// <param name="pattern">The pattern, with placeholders in braces.</param>
    /// <exception cref="ArgumentException">The pattern has no placeholder, an empty or repeated placeholder, or unbalanced braces.</exception>
    public DatasetPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        Pattern = pattern;
        var regex = new StringBuilder("^");
        var placeholders = new List<string>();
        var literal = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '{')
            {
                var close = pattern.IndexOf('}', i + 1);
                if (close < 0)
                {
                    throw new ArgumentException($"Dataset pattern '{pattern}' has an unclosed '{{'.", nameof(pattern));
                }

                var placeholder = pattern[(i + 1)..close].Split(':')[0];
                if (!PlaceholderName().IsMatch(placeholder) || placeholders.Contains(placeholder))
                {
                    throw new ArgumentException(
                        $"Dataset pattern '{pattern}' has an empty, invalid or repeated placeholder '{{{placeholder}}}'.", nameof(pattern));
                }

                placeholders.Add(placeholder);
                regex.Append("(?<").Append(placeholder).Append(">.+?)");
                i = close;
            }
            else if (c == '}')
            {
                throw new ArgumentException($"Dataset pattern '{pattern}' has an unmatched '}}'.", nameof(pattern));
            }
            else
            {
                literal++;
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        if (placeholders.Count == 0)
        {
            throw new ArgumentException($"Dataset pattern '{pattern}' has no placeholder in braces.", nameof(pattern));
        }

        _regex = new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
        _placeholders = [.. placeholders];
        Specificity = literal;
    }

    /// <summary>The pattern text.</summary>
    public string Pattern { get; }

    /// <summary>The number of literal (non-placeholder) characters.</summary>
    public int Specificity { get; }

    /// <summary>The placeholder names, in order.</summary>
    public IReadOnlyList<string> Placeholders => _placeholders;

    /// <summary>Whether a string contains a placeholder and so is a pattern rather than a dataset name.</summary>
    /// <param name="name">A catalog entry name.</param>
    /// <returns><see langword="true"/> for patterns.</returns>
    public static bool IsPattern(string name) => name is not null && name.Contains('{', StringComparison.Ordinal);

    /// <summary>Matches a whole dataset name.</summary>
    /// <param name="datasetName">The dataset name.</param>
    /// <param name="values">The placeholder values, when it matches.</param>
    /// <returns>Whether it matches.</returns>
    public bool TryMatch(string datasetName, out IReadOnlyDictionary<string, string> values)
    {
        var match = _regex.Match(datasetName);
        if (!match.Success)
        {
            values = new Dictionary<string, string>();
            return false;
        }

        var result = new Dictionary<string, string>(_placeholders.Length, StringComparer.Ordinal);
        foreach (var placeholder in _placeholders)
        {
            result[placeholder] = match.Groups[placeholder].Value;
        }

        values = result;
        return true;
    }

    /// <summary>Replaces <c>{placeholder}</c> occurrences in <paramref name="template"/> with matched values.</summary>
    /// <param name="template">A configuration value such as <c>data/{name}.csv</c>.</param>
    /// <param name="values">Placeholder values from <see cref="TryMatch"/>.</param>
    /// <returns>The resolved string.</returns>
    /// <exception cref="ArgumentException">The template uses a placeholder the pattern does not have.</exception>
    public string Resolve(string template, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        return TemplatePlaceholder().Replace(template, m =>
        {
            var key = m.Groups[1].Value;
            return values.TryGetValue(key, out var value)
                ? value
                : throw new ArgumentException(
                    $"Dataset factory '{Pattern}' uses placeholder '{{{key}}}' in its configuration, but the pattern has only [{string.Join(", ", _placeholders)}].");
        });
    }

    /// <inheritdoc />
    public int CompareTo(DatasetPattern? other)
    {
        if (other is null)
        {
            return -1;
        }

        var bySpecificity = other.Specificity.CompareTo(Specificity);
        if (bySpecificity != 0)
        {
            return bySpecificity;
        }

        var byPlaceholders = other._placeholders.Length.CompareTo(_placeholders.Length);
        return byPlaceholders != 0 ? byPlaceholders : string.CompareOrdinal(Pattern, other.Pattern);
    }

    /// <inheritdoc />
    public override string ToString() => Pattern;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlaceholderName();

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")]
    private static partial Regex TemplatePlaceholder();
}
