using MessagePack;
using MessagePack.Resolvers;

namespace PipelineRunner.Datasets;

/// <summary>
/// A binary file in MessagePack format, the stand-in for Kedro's <c>pickle.PickleDataset</c>. Saves serialize the
/// value's runtime type; loads deserialize into the requested type, which must be concrete: the format does not record
/// .NET types (typeless serialization is never used, as it would let a file choose the types to instantiate).
/// </summary>
/// <remarks>
/// Uses the contractless resolver (public types, members matched by name, no attributes needed) with
/// <see cref="MessagePackSecurity.UntrustedData"/>.
/// </remarks>
public sealed class MessagePackDataset : FileDataset
{
    /// <summary>The serializer options: contractless standard resolver, untrusted-data security.</summary>
    public static readonly MessagePackSerializerOptions SerializerOptions =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance).WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Creates the dataset.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="version">The versions to load and save; <see langword="null"/> for an unversioned dataset.</param>
    /// <param name="timeProvider">The clock that names new versions.</param>
    public MessagePackDataset(string filePath, DatasetVersion? version = null, TimeProvider? timeProvider = null)
        : base(filePath, version, timeProvider)
    {
    }

    /// <inheritdoc />
    protected override async ValueTask<object?> ReadAsync(Stream stream, Type requestedType, CancellationToken cancellationToken)
    {
        if (requestedType == typeof(object))
        {
            throw new InvalidOperationException(
                $"{nameof(MessagePackDataset)} needs a concrete type to load into: give the consuming node parameter a concrete type (or load it with DataCatalog.LoadAsync<T>).");
        }

        return await MessagePackSerializer.DeserializeAsync(requestedType, stream, SerializerOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask WriteAsync(Stream stream, object? data, CancellationToken cancellationToken) =>
        await MessagePackSerializer.SerializeAsync(data?.GetType() ?? typeof(object), stream, data, SerializerOptions, cancellationToken)
            .ConfigureAwait(false);
}
