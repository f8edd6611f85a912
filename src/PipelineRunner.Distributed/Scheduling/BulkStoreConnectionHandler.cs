using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using PipelineRunner.Distributed.Storage;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// Serves the store's bulk protocol (<see cref="BulkProtocol"/>) on a raw Kestrel TCP endpoint. Every request is
/// validated (operation, name, size) before any byte is stored; a value is stored only once it fully arrived.
/// </summary>
internal sealed class BulkStoreConnectionHandler(DatasetStore store, SchedulerOptions options) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        try
        {
            while (true)
            {
                var header = await ReadHeaderAsync(input, connection.ConnectionClosed).ConfigureAwait(false);
                if (header is null)
                {
                    return; // the client closed the connection between requests
                }

                var (op, name, length) = header.Value;
                var problem = Validate(op, name, length);
                if (problem is not null)
                {
                    await RespondAsync(output, BulkProtocol.Invalid, Encoding.UTF8.GetBytes(problem)).ConfigureAwait(false);
                    return; // the rest of the stream cannot be trusted
                }

                if (op == BulkProtocol.Publish)
                {
                    var value = store.Rent((int)length);
                    if (!await ReadValueAsync(input, value.AsMemory(0, (int)length), connection.ConnectionClosed).ConfigureAwait(false))
                    {
                        return; // cut short: nothing stored
                    }

                    store.Put(name, value, (int)length);
                    await RespondAsync(output, BulkProtocol.Ok, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                }
                else if (store.TryAcquire(name, out var lease))
                {
                    using (lease)
                    {
                        await RespondAsync(output, BulkProtocol.Ok, lease.Memory).ConfigureAwait(false);
                    }
                }
                else
                {
                    await RespondAsync(output, BulkProtocol.NotFound, Encoding.UTF8.GetBytes($"Dataset '{name}' is not in the store.")).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is ConnectionResetException or IOException or OperationCanceledException or InvalidDataException)
        {
            // The client went away or sent garbage; nothing partial was stored.
        }
    }

    private string? Validate(byte op, string name, long length)
    {
        if (op is not (BulkProtocol.Publish or BulkProtocol.Get))
        {
            return $"Unknown bulk operation {op}.";
        }

        try
        {
            DatasetNames.Validate(name, "a bulk store request");
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }

        if (op == BulkProtocol.Publish && (length < 0 || length > options.MaxDatasetBytes || length > Array.MaxLength))
        {
            return $"Dataset '{name}' has {length} bytes; the store accepts 0 to {Math.Min(options.MaxDatasetBytes, Array.MaxLength)} bytes (SchedulerOptions.MaxDatasetBytes).";
        }

        return null;
    }

    private static async Task<(byte Op, string Name, long Length)?> ReadHeaderAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryParseHeader(ref buffer, out var header))
            {
                input.AdvanceTo(buffer.Start);
                return header;
            }

            if (result.IsCompleted)
            {
                if (buffer.Length == 0)
                {
                    return null;
                }

                throw new InvalidDataException("The connection closed in the middle of a bulk request header.");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryParseHeader(ref ReadOnlySequence<byte> buffer, out (byte Op, string Name, long Length) header)
    {
        header = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var op) || !reader.TryReadLittleEndian(out int nameLength))
        {
            return false;
        }

        if (nameLength is < 1 or > BulkProtocol.MaxNameBytes)
        {
            throw new InvalidDataException($"A bulk request name of {nameLength} bytes is out of range.");
        }

        if (reader.Remaining < nameLength + 8)
        {
            return false;
        }

        var name = Encoding.UTF8.GetString(buffer.Slice(reader.Position, nameLength));
        reader.Advance(nameLength);
        reader.TryReadLittleEndian(out long length);
        header = (op, name, length);
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static async Task<bool> ReadValueAsync(PipeReader input, Memory<byte> value, CancellationToken cancellationToken)
    {
        var offset = 0;
        while (offset < value.Length)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var take = (int)Math.Min(buffer.Length, value.Length - offset);
            buffer.Slice(0, take).CopyTo(value.Span[offset..]);
            offset += take;
            input.AdvanceTo(buffer.GetPosition(take));
            if (offset < value.Length && result.IsCompleted)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task RespondAsync(PipeWriter output, byte status, ReadOnlyMemory<byte> payload)
    {
        var header = output.GetSpan(9);
        header[0] = status;
        BinaryPrimitives.WriteInt64LittleEndian(header[1..], payload.Length);
        output.Advance(9);
        const int Slice = 1024 * 1024;
        for (var offset = 0; offset < payload.Length; offset += Slice)
        {
            var result = await output.WriteAsync(payload.Slice(offset, Math.Min(Slice, payload.Length - offset))).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted)
            {
                return;
            }
        }

        await output.FlushAsync().ConfigureAwait(false);
    }
}
