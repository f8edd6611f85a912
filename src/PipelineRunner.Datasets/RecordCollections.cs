using System.Collections;

namespace PipelineRunner.Datasets;

/// <summary>The collection shapes that record datasets (CSV, Parquet) load into and save from.</summary>
internal static class RecordCollections
{
    /// <summary>The collection types a record dataset can load into, for messages.</summary>
    public const string SupportedShapes =
        "List<T>, T[], IEnumerable<T>, IList<T>, ICollection<T>, IReadOnlyList<T> or IReadOnlyCollection<T>";

    private static readonly Type[] SupportedDefinitions =
    [
        typeof(List<>), typeof(IEnumerable<>), typeof(IList<>), typeof(ICollection<>), typeof(IReadOnlyList<>), typeof(IReadOnlyCollection<>),
    ];

    /// <summary>The element type of a collection type a record dataset can load into.</summary>
    /// <param name="collectionType">The requested type.</param>
    /// <returns>The element type, or <see langword="null"/> when the type is not a supported collection.</returns>
    public static Type? GetElementType(Type collectionType)
    {
        if (collectionType.IsArray)
        {
            return collectionType.GetArrayRank() == 1 ? collectionType.GetElementType() : null;
        }

        return collectionType.IsGenericType && SupportedDefinitions.Contains(collectionType.GetGenericTypeDefinition())
            ? collectionType.GetGenericArguments()[0]
            : null;
    }

    /// <summary>
    /// The record type of a sequence being saved: the <c>T</c> of the <see cref="IEnumerable{T}"/> it implements, or the
    /// runtime type of its first element when that is <see cref="object"/>.
    /// </summary>
    /// <param name="datasetType">The dataset's type name, for messages.</param>
    /// <param name="data">The data being saved.</param>
    /// <returns>The sequence and its record type.</returns>
    /// <exception cref="ArgumentException">The data is null, a string or not a generic sequence.</exception>
    public static (IEnumerable Records, Type RecordType) GetRecords(string datasetType, object? data)
    {
        if (data is null or string || data is not IEnumerable records)
        {
            throw new ArgumentException(
                $"{datasetType} saves a sequence of records (such as List<T> or T[]), not {(data is null ? "null" : TypeNames.Describe(data.GetType()))}.");
        }

        var type = data.GetType();
        var sequence = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        var recordType = sequence?.GetGenericArguments()[0];
        if (recordType is null || recordType == typeof(object))
        {
            recordType = records.Cast<object?>().FirstOrDefault(r => r is not null)?.GetType() ?? recordType;
        }

        return recordType is null
            ? throw new ArgumentException($"{datasetType} cannot tell the record type of {TypeNames.Describe(type)}; save an IEnumerable<T>.")
            : (records, recordType);
    }

    /// <summary>Creates an empty <see cref="List{T}"/> of <paramref name="elementType"/>.</summary>
    /// <param name="elementType">The element type.</param>
    /// <returns>The list.</returns>
    public static IList CreateList(Type elementType) => (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;

    /// <summary>Returns a loaded <see cref="List{T}"/> as the requested collection type (an array for arrays, the list otherwise).</summary>
    /// <param name="list">The loaded list.</param>
    /// <param name="elementType">Its element type.</param>
    /// <param name="requestedType">The requested collection type.</param>
    /// <returns>The collection.</returns>
    public static object ToRequested(IList list, Type elementType, Type requestedType)
    {
        if (!requestedType.IsArray)
        {
            return list;
        }

        var array = Array.CreateInstance(elementType, list.Count);
        list.CopyTo(array, 0);
        return array;
    }
}
