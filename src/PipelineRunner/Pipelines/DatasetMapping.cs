namespace PipelineRunner.Pipelines;

/// <summary>
/// Names exposed or renamed by a modular pipeline: one name or a list (kept as they are), or a dictionary from the
/// name inside the pipeline to the name outside it. Converts implicitly from <see cref="string"/>,
/// <see cref="string"/>[] and <see cref="Dictionary{TKey,TValue}"/>.
/// </summary>
public sealed class DatasetMapping
{
    private DatasetMapping(IReadOnlyDictionary<string, string> pairs) => Pairs = pairs;

    /// <summary>Old name → new name.</summary>
    public IReadOnlyDictionary<string, string> Pairs { get; }

    /// <summary>Keeps the given names as they are.</summary>
    /// <param name="names">The names.</param>
    /// <returns>The mapping.</returns>
    public static DatasetMapping Keep(params IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            pairs[name] = name;
        }

        return new(pairs);
    }

    /// <summary>Renames old names to new names.</summary>
    /// <param name="pairs">Old name → new name.</param>
    /// <returns>The mapping.</returns>
    public static DatasetMapping Rename(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return new(new Dictionary<string, string>(pairs, StringComparer.Ordinal));
    }

    /// <summary>Keeps one name.</summary>
    /// <param name="name">The name.</param>
    public static implicit operator DatasetMapping(string name) => Keep(name);

    /// <summary>Keeps the names.</summary>
    /// <param name="names">The names.</param>
    public static implicit operator DatasetMapping(string[] names) => Keep(names);

    /// <summary>Renames old names to new names.</summary>
    /// <param name="pairs">Old name → new name.</param>
    public static implicit operator DatasetMapping(Dictionary<string, string> pairs) => Rename(pairs);
}
