namespace PipelineRunner.Pipelines;

/// <summary>
/// Helpers for dataset names: transcoding (<c>name@format</c>) and parameter references (<c>params:NAME</c>).
/// </summary>
public static class DatasetNames
{
    /// <summary>The separator between a dataset's name and its transcoding format: <c>@</c>.</summary>
    public const char TranscodingSeparator = '@';

    /// <summary>The prefix of a single-parameter input: <c>params:</c>.</summary>
    public const string ParameterPrefix = "params:";

    /// <summary>The name of the input that receives all parameters at once: <c>parameters</c>.</summary>
    public const string AllParameters = "parameters";

    /// <summary>Returns the underlying dataset name of a possibly transcoded name (<c>cars@csv</c> becomes <c>cars</c>).</summary>
    /// <param name="name">A dataset name.</param>
    /// <returns>The name without its transcoding suffix.</returns>
    /// <exception cref="ArgumentException">The name has more than one transcoding separator.</exception>
    public static string StripTranscoding(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var at = name.IndexOf(TranscodingSeparator, StringComparison.Ordinal);
        if (at < 0)
        {
            return name;
        }

        if (name.IndexOf(TranscodingSeparator, at + 1) >= 0)
        {
            throw new ArgumentException(
                $"Expected maximum 1 transcoding separator, found {name.Count(c => c == TranscodingSeparator)} instead: '{name}'.",
                nameof(name));
        }

        return name[..at];
    }

    /// <summary>Splits a transcoded name into its base name and format; the format is empty when there is none.</summary>
    /// <param name="name">A dataset name.</param>
    /// <returns>The base name and the format.</returns>
    public static (string BaseName, string Format) SplitTranscoding(string name)
    {
        var baseName = StripTranscoding(name);
        return baseName.Length == name.Length ? (name, string.Empty) : (baseName, name[(baseName.Length + 1)..]);
    }

    private static bool IsWellFormed(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
        {
            return false;
        }

        var at = -1;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c) || (c == TranscodingSeparator && at >= 0))
            {
                return false;
            }

            if (c == TranscodingSeparator)
            {
                at = i;
            }
        }

        return at != 0 && at != name.Length - 1 && !(IsSingleParameter(name) && name.Length == ParameterPrefix.Length);
    }

    /// <summary>Whether the name refers to one parameter (<c>params:NAME</c>).</summary>
    /// <param name="name">A dataset name.</param>
    /// <returns><see langword="true"/> for <c>params:</c> names.</returns>
    public static bool IsSingleParameter(string name) => name.StartsWith(ParameterPrefix, StringComparison.Ordinal);

    /// <summary>Whether the name refers to a parameter or to all parameters.</summary>
    /// <param name="name">A dataset name.</param>
    /// <returns><see langword="true"/> for <c>params:NAME</c> and <c>parameters</c>.</returns>
    public static bool IsParameter(string name) => IsSingleParameter(name) || name == AllParameters;

    /// <summary>
    /// Checks that a dataset name is well formed: not empty, no surrounding or control whitespace, at most one
    /// transcoding separator with text on both sides, and a parameter name after <c>params:</c>.
    /// </summary>
    /// <param name="name">The name to check.</param>
    /// <param name="context">Where the name was given, for the error message (for example <c>node 'clean'</c>).</param>
    /// <exception cref="ArgumentException">The name is malformed; the message names it and the context.</exception>
    public static void Validate(string? name, string context) => Validate(name, context, null);

    /// <summary>Validates a dataset name given in one part (inputs, outputs) of a context.</summary>
    internal static void Validate(string? name, string context, string? part)
    {
        if (IsWellFormed(name))
        {
            return;
        }

        if (part is not null)
        {
            context = context + " " + part;
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"Invalid dataset name in {context}: a dataset name must not be empty or whitespace.");
        }

        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
        {
            throw new ArgumentException($"Invalid dataset name '{name}' in {context}: it must not start or end with whitespace.");
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"Invalid dataset name '{name}' in {context}: it must not contain control characters.");
            }
        }

        var at = name.IndexOf(TranscodingSeparator, StringComparison.Ordinal);
        if (at >= 0)
        {
            if (name.IndexOf(TranscodingSeparator, at + 1) >= 0)
            {
                throw new ArgumentException(
                    $"Invalid dataset name '{name}' in {context}: expected maximum 1 transcoding separator '@'.");
            }

            if (at == 0 || at == name.Length - 1)
            {
                throw new ArgumentException(
                    $"Invalid dataset name '{name}' in {context}: a transcoded name needs text on both sides of '@' (name@format).");
            }
        }

        if (IsSingleParameter(name) && name.Length == ParameterPrefix.Length)
        {
            throw new ArgumentException($"Invalid dataset name '{name}' in {context}: 'params:' must be followed by a parameter name.");
        }
    }
}
