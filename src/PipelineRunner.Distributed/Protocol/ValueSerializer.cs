using System.Buffers;
using MessagePack;
using MessagePack.Resolvers;
using PipelineRunner.Catalog;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// Turns dataset values into MessagePack bytes and back. The type always comes from the code (the value's own type
/// when saving, the consuming parameter's declared type when loading), never from the wire: no Typeless resolver, and
/// untrusted-data security is on. A value of an allowlisted type carries a <see cref="ValueTypeTag"/> in front, so a
/// consumer that asks for <see cref="object"/> gets the producer's runtime type back; the tag is a code from a fixed
/// list, never a type name.
/// </summary>
internal static class ValueSerializer
{
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(ContractlessStandardResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public static void Serialize(string datasetName, object? value, IBufferWriter<byte> writer)
    {
        var type = value?.GetType() ?? typeof(object);
        try
        {
            if (value is not null && ValueTypeTag.For(type) is { Length: > 0 } tag)
            {
                writer.Write(tag);
            }

            MessagePackSerializer.Serialize(type, writer, value, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new DatasetException(
                datasetName,
                $"Dataset '{datasetName}': MessagePack cannot serialize a value of type {TypeNames.Describe(type)} to send it between processes: " +
                $"{ex.InnerException?.Message ?? ex.Message} To fix it, give the type public properties and a public constructor (or mark it " +
                "[MessagePackObject] with [Key] members), or register the dataset in the catalog as a file dataset that workers read themselves.",
                ex);
        }
    }

    /// <summary>The length of MessagePack's 32-bit binary header (<c>bin 32</c>): a marker byte and a big-endian length.</summary>
    public const int Binary32HeaderLength = 5;

    /// <summary>
    /// Whether a serialized value of <paramref name="totalLength"/> bytes that starts with <paramref name="prefix"/> is a
    /// byte array in MessagePack's <c>bin 32</c> format, and if so its payload's length. Such a value can be received
    /// straight into its final array instead of going through a transfer buffer and MessagePack.
    /// </summary>
    public static bool TryReadBinary32Header(ReadOnlySpan<byte> prefix, long totalLength, out int payloadLength)
    {
        payloadLength = 0;
        if (prefix.Length < Binary32HeaderLength || prefix[0] != MessagePackCode.Bin32)
        {
            return false;
        }

        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
        if (length != totalLength - Binary32HeaderLength || length > Array.MaxLength)
        {
            return false;
        }

        payloadLength = (int)length;
        return true;
    }

    /// <summary>
    /// Reads a stored value as <paramref name="type"/>; as the producer's runtime type when <paramref name="type"/> is
    /// <see cref="object"/> and the value carries a type tag. A concrete declared type wins over the tag.
    /// </summary>
    /// <exception cref="DatasetException">The bytes cannot be read as the type, or their type tag is refused.</exception>
    public static object? Deserialize(string datasetName, Type type, ReadOnlySequence<byte> bytes)
    {
        if (ValueTypeTag.Read(datasetName, ref bytes) is { } tagged && type == typeof(object))
        {
            type = tagged;
        }

        try
        {
            return MessagePackSerializer.Deserialize(type, bytes, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new DatasetException(
                datasetName,
                $"Dataset '{datasetName}': the stored value cannot be read as {TypeNames.Describe(type)}: {ex.InnerException?.Message ?? ex.Message} " +
                "The consuming node's parameter type must match what the producing node returned.",
                ex);
        }
    }
}
