namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// The part of Kedro's <c>Node._unique_key</c> that comes from a node's inputs or outputs: a string and a one-element
/// list are different keys, and a mapping is its pairs sorted by name, so two maps with the same pairs in another
/// order are the same key.
/// </summary>
internal static class BindingKey
{
    /// <summary>The key: the kind's number, then the dataset names, or for a mapping name, dataset, name, dataset… sorted by name.</summary>
    public static string[] Of(NodeBindingKind kind, IReadOnlyList<string> datasets, IReadOnlyList<string>? names)
    {
        var key = new string[1 + (kind == NodeBindingKind.Mapping ? 2 * datasets.Count : datasets.Count)];
        key[0] = ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (kind != NodeBindingKind.Mapping)
        {
            for (var i = 0; i < datasets.Count; i++)
            {
                key[i + 1] = datasets[i];
            }

            return key;
        }

        var order = Enumerable.Range(0, datasets.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var byName = string.CompareOrdinal(names![a], names[b]);
            return byName != 0 ? byName : string.CompareOrdinal(datasets[a], datasets[b]);
        });
        for (var i = 0; i < order.Length; i++)
        {
            key[1 + (2 * i)] = names![order[i]];
            key[2 + (2 * i)] = datasets[order[i]];
        }

        return key;
    }

    /// <summary>Orders two keys element by element (ordinal), a shorter prefix first.</summary>
    public static int Compare(IReadOnlyList<string> x, IReadOnlyList<string> y)
    {
        var common = Math.Min(x.Count, y.Count);
        for (var i = 0; i < common; i++)
        {
            var order = string.CompareOrdinal(x[i], y[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return x.Count.CompareTo(y.Count);
    }
}
