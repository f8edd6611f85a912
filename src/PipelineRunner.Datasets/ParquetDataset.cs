using System.Collections;
using System.Reflection;
using Parquet;
using Parquet.Serialization;

namespace PipelineRunner.Datasets;

/// <summary>
/// A Parquet file of records (the counterpart of Kedro's <c>pandas.ParquetDataset</c>), read and written with
/// Parquet.Net's <see cref="ParquetSerializer"/>. Saves take an <see cref="IEnumerable{T}"/> of records (one column per
/// public property); loads need a concrete collection type such as <c>List&lt;T&gt;</c> or <c>T[]</c>.
/// </summary>
/// <remarks>
/// A class with a public parameterless constructor loads through Parquet.Net's typed deserializer (settable
/// properties). Other record types, such as positional records (<c>record Shuttle(string Id, double Price)</c>), load
/// through their public constructor with the most parameters: each parameter takes the column of its name (exactly, or
/// else ignoring case), and settable properties it does not cover take theirs when the file has them. Parquet.Net
/// stores dates and times without their <see cref="DateTimeKind"/>, and empty lists like null ones.
/// </remarks>
public sealed class ParquetDataset : FileDataset
{
    private static readonly MethodInfo DeserializeMethod =
        typeof(ParquetDataset).GetMethod(nameof(DeserializeCoreAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo SerializeMethod =
        typeof(ParquetDataset).GetMethod(nameof(SerializeCoreAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Creates the dataset.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="parquetOptions">Parquet.Net options for reading and writing; its defaults when <see langword="null"/>.</param>
    /// <param name="version">The versions to load and save; <see langword="null"/> for an unversioned dataset.</param>
    /// <param name="timeProvider">The clock that names new versions.</param>
    public ParquetDataset(string filePath, ParquetOptions? parquetOptions = null, DatasetVersion? version = null, TimeProvider? timeProvider = null)
        : base(filePath, version, timeProvider) => ParquetOptions = parquetOptions;

    /// <summary>Parquet.Net options for reading and writing, or <see langword="null"/> for its defaults.</summary>
    public ParquetOptions? ParquetOptions { get; }

    /// <inheritdoc />
    protected override async ValueTask<object?> ReadAsync(Stream stream, Type requestedType, CancellationToken cancellationToken)
    {
        var elementType = RecordCollections.GetElementType(requestedType);
        if (elementType is null)
        {
            throw new InvalidOperationException(requestedType == typeof(object)
                ? $"{nameof(ParquetDataset)} needs a concrete type to load into: give the consuming node parameter a collection type such as {RecordCollections.SupportedShapes} of a record class."
                : $"{nameof(ParquetDataset)} loads into {RecordCollections.SupportedShapes}, not {TypeNames.Describe(requestedType)}.");
        }

        if (!ParquetRecordShape.IsSettableClass(elementType))
        {
            return RecordCollections.ToRequested(await ReadThroughConstructorAsync(stream, elementType, cancellationToken).ConfigureAwait(false), elementType, requestedType);
        }

        var task = (Task<IList>)DeserializeMethod.MakeGenericMethod(elementType).Invoke(null, [stream, ParquetOptions, cancellationToken])!;
        var list = await task.ConfigureAwait(false);
        return RecordCollections.ToRequested(list, elementType, requestedType);
    }

    /// <summary>Reads rows without a type and builds each record through its constructor.</summary>
    private async Task<IList> ReadThroughConstructorAsync(Stream stream, Type elementType, CancellationToken cancellationToken)
    {
        if (elementType.IsPrimitive || elementType.IsEnum || elementType == typeof(string) || elementType == typeof(decimal))
        {
            throw new InvalidOperationException(
                $"{nameof(ParquetDataset)} loads records with properties, not plain {TypeNames.Describe(elementType)} values.");
        }

        var rows = await ParquetSerializer.DeserializeUntypedAsync(stream, ParquetOptions, null, cancellationToken).ConfigureAwait(false);
        var read = ParquetRecordShape.For(elementType).CreateReader(rows.Schema.Fields);
        var records = RecordCollections.CreateList(elementType);
        for (var i = 0; i < rows.Data.Count; i++)
        {
            try
            {
                records.Add(read(rows.Data[i]));
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"row {i + 1}: {ex.Message}.", ex);
            }
        }

        return records;
    }

    /// <inheritdoc />
    protected override async ValueTask WriteAsync(Stream stream, object? data, CancellationToken cancellationToken)
    {
        var (records, recordType) = RecordCollections.GetRecords(nameof(ParquetDataset), data);
        var task = (Task)SerializeMethod.MakeGenericMethod(recordType).Invoke(null, [records, stream, ParquetOptions, cancellationToken])!;
        await task.ConfigureAwait(false);
    }

    private static async Task<IList> DeserializeCoreAsync<T>(Stream stream, ParquetOptions? options, CancellationToken cancellationToken)
        where T : class, new()
    {
        var result = await ParquetSerializer.DeserializeAsync<T>(stream, options, null, cancellationToken).ConfigureAwait(false);
        return result.Data as List<T> ?? [.. result.Data];
    }

    private static async Task SerializeCoreAsync<T>(IEnumerable records, Stream stream, ParquetOptions? options, CancellationToken cancellationToken) =>
        await ParquetSerializer.SerializeAsync(records.Cast<T>(), stream, options, null, cancellationToken).ConfigureAwait(false);
}
