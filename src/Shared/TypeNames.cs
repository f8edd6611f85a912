namespace PipelineRunner;

/// <summary>
/// Types as C# spells them, without namespaces (<c>List&lt;Int32&gt;</c>), for error messages. Compiled into each
/// package (linked source), so the packages' messages agree without a public helper.
/// </summary>
internal static class TypeNames
{
    /// <summary>The type's name with its generic arguments.</summary>
    /// <param name="type">Any type.</param>
    /// <returns>For example <c>Dictionary&lt;String, List&lt;Int32&gt;&gt;</c>.</returns>
    public static string Describe(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick > 0)
        {
            name = name[..tick];
        }

        return name + "<" + string.Join(", ", type.GetGenericArguments().Select(Describe)) + ">";
    }
}
