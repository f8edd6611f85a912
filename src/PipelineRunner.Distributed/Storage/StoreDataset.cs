using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Serialization;

namespace PipelineRunner.Distributed.Storage;

/// <summary>
/// A dataset held in the scheduler's store (the seed's <c>publish_dataset</c>/<c>get_dataset</c>): saved as
/// MessagePack of the value's type, loaded as the consumer's declared type. Not ephemeral: it outlives the run, which
/// lets only-missing runs reuse what an earlier run published.
/// </summary>
internal sealed class StoreDataset(string name, Func<CancellationToken, ValueTask<StoreClient>> connect, bool untyped = false) : IDataset
{
    public bool IsEphemeral => false;

    public async ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
    {
        var client = await connect(cancellationToken).ConfigureAwait(false);
        var bytes = await client.GetAsync(name, cancellationToken).ConfigureAwait(false);
        return ValueSerializer.Deserialize(name, untyped ? typeof(object) : requestedType, bytes);
    }

    public async ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
    {
        var client = await connect(cancellationToken).ConfigureAwait(false);
        using var writer = new SegmentedBufferWriter();
        ValueSerializer.Serialize(name, data, writer);
        await client.PublishAsync(name, writer.AsSequence(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        var client = await connect(cancellationToken).ConfigureAwait(false);
        return (await client.ExistsAsync([name], cancellationToken).ConfigureAwait(false))[0];
    }

    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        var client = await connect(cancellationToken).ConfigureAwait(false);
        await client.ReleaseAsync([name], cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyDictionary<string, object?> Describe() =>
        new Dictionary<string, object?> { ["type"] = nameof(StoreDataset), ["name"] = name };
}
