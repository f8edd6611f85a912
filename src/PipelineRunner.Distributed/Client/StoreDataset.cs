using System.Buffers;
using Google.Protobuf;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Protocol;
using PipelineRunner.Reporting;

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
    Func<ReleaseQueue?>? releases = null) : IDataset, IDatasetByteCount
{
    public bool IsEphemeral => false;

    /// <summary>The serialized size of the value the last load read (inline or fetched), for the performance report.</summary>
    public long? LastLoadedBytes { get; private set; }

    /// <summary>The serialized size of the value the last save wrote.</summary>
    public long? LastSavedBytes { get; private set; }

    public async ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
    {
        var type = untyped ? typeof(object) : requestedType;
        if (inline is not null && inline.Inputs.TryGetValue(name, out var carried))
        {
            LastLoadedBytes = carried.Length;
            return ValueSerializer.Deserialize(name, type, new ReadOnlySequence<byte>(carried));
        }

        var client = await connect(cancellationToken).ConfigureAwait(false);
        long? received = null;
        var value = await client.LoadAsync(name, type, bytes => received = bytes, cancellationToken).ConfigureAwait(false);
        LastLoadedBytes = received ?? (value as byte[])?.LongLength; // raw bytes are passed through unread
        return value;
    }

    public async ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
    {
        using var writer = new SegmentedBufferWriter();
        ValueSerializer.Serialize(name, data, writer);
        LastSavedBytes = writer.Length;
        if (inline is not null && writer.Length <= InlineValues.Limit)
        {
            // Small outputs ride in the completion message; the scheduler stores them before recording it.
            inline.SetOutput(name, ByteString.CopyFrom(writer.AsSequence().ToArray()));
            return;
        }

        // A generator node saves a dataset once per chunk, and the last save must win: an earlier small chunk still
        // waiting for the completion message would otherwise be stored after this one.
        inline?.RemoveOutput(name);
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

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Protocol.InlineValue> _outputs = new(StringComparer.Ordinal);

    /// <summary>The small outputs to send with the completion: the last value saved inline for each dataset.</summary>
    public Protocol.InlineValue[] Outputs
    {
        get
        {
            lock (_gate)
            {
                return [.. _outputs.Values];
            }
        }
    }

    /// <summary>Keeps a small output for the completion, replacing an earlier save (chunk) of the same dataset.</summary>
    public void SetOutput(string name, ByteString data)
    {
        lock (_gate)
        {
            _outputs[name] = new Protocol.InlineValue { Name = name, Data = data };
        }
    }

    /// <summary>Forgets a dataset's inline output: a later save went to the store instead.</summary>
    public void RemoveOutput(string name)
    {
        lock (_gate)
        {
            _outputs.Remove(name);
        }
    }
}
