namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// "Did you mean" suggestions for names that were not found (nodes, datasets, tags, namespaces, pipelines,
/// parameters), picked as Python's <c>difflib.get_close_matches</c> (which Kedro uses) picks them: up to three
/// candidates whose similarity 2·M / (|a| + |b|) is at least 0.6, most similar first, M being the length of the longest
/// common subsequence.
/// </summary>
internal static class CloseNames
{
    private const int MaxMatches = 3;
    private const double Cutoff = 0.6;

    /// <summary>Up to three candidates similar to <paramref name="name"/>, most similar first (ties in ordinal order).</summary>
    /// <param name="name">The name not found.</param>
    /// <param name="candidates">The names that exist.</param>
    /// <returns>The close names; empty when none is close enough.</returns>
    public static IReadOnlyList<string> Find(string name, IEnumerable<string> candidates)
    {
        var matches = new List<(string Candidate, double Score)>();
        foreach (var candidate in candidates)
        {
            // The score can be at most 2·min / sum of the lengths; most candidates fail that before any comparison.
            var total = name.Length + candidate.Length;
            if (total == 0 || 2.0 * Math.Min(name.Length, candidate.Length) / total < Cutoff)
            {
                continue;
            }

            var score = 2.0 * CommonSubsequenceLength(name, candidate) / total;
            if (score >= Cutoff)
            {
                matches.Add((candidate, score));
            }
        }

        return matches
            .DistinctBy(m => m.Candidate, StringComparer.Ordinal)
            .OrderByDescending(m => m.Score)
            .ThenBy(m => m.Candidate, StringComparer.Ordinal)
            .Take(MaxMatches)
            .Select(m => m.Candidate)
            .ToList();
    }

    /// <summary>The close names of each of <paramref name="names"/> in turn, each suggestion once.</summary>
    /// <param name="names">The names not found.</param>
    /// <param name="candidates">The names that exist.</param>
    /// <returns>The close names; empty when none is close enough.</returns>
    public static IReadOnlyList<string> Find(IEnumerable<string> names, IEnumerable<string> candidates)
    {
        var known = candidates as IReadOnlyCollection<string> ?? candidates.ToList();
        return names.SelectMany(name => Find(name, known)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>" Did you mean: [a, b]?" for the suggestions, or an empty string when there are none.</summary>
    /// <param name="suggestions">The suggestions.</param>
    /// <returns>The sentence, with a leading space.</returns>
    public static string DidYouMean(IReadOnlyCollection<string> suggestions) =>
        suggestions.Count > 0 ? $" Did you mean: [{string.Join(", ", suggestions)}]?" : string.Empty;

    private static int CommonSubsequenceLength(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
