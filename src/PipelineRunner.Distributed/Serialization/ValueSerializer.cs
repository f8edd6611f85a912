using System.Buffers;
using MessagePack;
using MessagePack.Resolvers;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Distributed.Serialization;

/// <summary>
/// Turns dataset values into MessagePack bytes and back. The type always comes from the code (the value's own type
/// when saving, the consuming parameter's declared type when loading), never from the wire: no Typeless resolver, and
/// untrusted-data security is on.
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
            MessagePackSerializer.Serialize(type, writer, value, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new DatasetException(
                datasetName,
                $"Dataset '{datasetName}': MessagePack cannot serialize a value of type {ValueConverter.Describe(type)} to send it between processes: " +
                $"{ex.InnerException?.Message ?? ex.Message} To fix it, give the type public properties and a public constructor (or mark it " +
                "[MessagePackObject] with [Key] members), or register the dataset in the catalog as a file dataset that workers read themselves.",
                ex);
        }
    }

    public static object? Deserialize(string datasetName, Type type, ReadOnlySequence<byte> bytes)
    {
        try
        {
            return MessagePackSerializer.Deserialize(type, bytes, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new DatasetException(
                datasetName,
                $"Dataset '{datasetName}': the stored value cannot be read as {ValueConverter.Describe(type)}: {ex.InnerException?.Message ?? ex.Message} " +
                "The consuming node's parameter type must match what the producing node returned.",
                ex);
        }
    }
}
