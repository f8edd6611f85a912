using System.Buffers;
using System.Collections.Concurrent;
using Google.Protobuf;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Client;

/// <summary>
/// A dataset held in the scheduler's store (the seed's <c>publish_dataset</c>/<c>get_dataset</c>): saved as
/// MessagePack of the value's type, loaded as the consumer's declared type. Not ephemeral: it outlives the run, which
/// lets only-missing runs reuse what an earlier run published.
/// </summary>
internal sealed class StoreDataset(
    string name,
    Func<CancellationToken, ValueTask<StoreClient>> connect,
    bool untyped = false,
    InlineValues? inline = null,
    Func<ReleaseQueue?>? releases = null) : IDataset
{
    public bool IsEphemeral => false;

    public async ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
    {
        var type = untyped ? typeof(object) : requestedType;
        if (inline is not null && inline.Inputs.TryGetValue(name, out var carried))
        {
            return ValueSerializer.Deserialize(name, type, new ReadOnlySequence<byte>(carried));
        }

        var client = await connect(cancellationToken).ConfigureAwait(false);
        return await client.LoadAsync(name, type, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
    {
        using var writer = new SegmentedBufferWriter();
        ValueSerializer.Serialize(name, data, writer);
        if (inline is not null && writer.Length <= InlineValues.Limit)
        {
            // Small outputs ride in the completion message; the scheduler stores them before recording it.
            inline.Outputs.Enqueue(new Protocol.InlineValue { Name = name, Data = ByteString.CopyFrom(writer.AsSequence().ToArray()) });
            return;
        }

        var client = await connect(cancellationToken).ConfigureAwait(false);
        await client.PublishAsync(name, writer.AsSequence(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        var client = await connect(cancellationToken).ConfigureAwait(false);
        return (await client.ExistsAsync([name], cancellationToken).ConfigureAwait(false))[0];
    }

    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (releases?.Invoke() is { } queue)
        {
            queue.Enqueue(name); // batched off the critical path; flushed before the run ends
            return;
        }

        var client = await connect(cancellationToken).ConfigureAwait(false);
        await client.ReleaseAsync([name], cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyDictionary<string, object?> Describe() =>
        new Dictionary<string, object?> { ["type"] = nameof(StoreDataset), ["name"] = name };
}

/// <summary>Small store values carried in an assignment (inputs) and its completion (outputs), saving round trips.</summary>
internal sealed class InlineValues
{
    /// <summary>Values up to this size travel inline: 64 KB.</summary>
    public const int Limit = Wire.InlineLimit;

    public Dictionary<string, ReadOnlyMemory<byte>> Inputs { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<Protocol.InlineValue> Outputs { get; } = new();
}
