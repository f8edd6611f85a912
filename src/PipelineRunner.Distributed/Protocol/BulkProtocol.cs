using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// The store's bulk protocol on its own TCP endpoint. Every request is
/// <c>[op:1][name length:4][name:UTF-8][value length:8][value]</c> (the value only for a publish); every response is
/// <c>[status:1][length:8][value or UTF-8 error]</c>. Little-endian. A connection carries requests one after another;
/// when the scheduler has an access token, the first must be <see cref="Authenticate"/>. With TLS, all of it runs
/// inside the TLS stream.
/// </summary>
internal static class BulkProtocol
{
    public const byte Publish = 1;
    public const byte Get = 2;

    /// <summary>The first request of a connection to a scheduler with an access token: the token in the name's place.</summary>
    public const byte Authenticate = 3;
    public const byte Ok = 0;
    public const byte NotFound = 1;
    public const byte Invalid = 2;
    public const byte Unauthenticated = 3;

    /// <summary>The store could not serve a value it holds (a spill file could not be read).</summary>
    public const byte Failed = 4;
    public const int MaxNameBytes = 4096;

    public static byte[] RequestHeader(byte op, string name, long length)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var header = new byte[1 + 4 + nameBytes.Length + 8];
        header[0] = op;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(1), nameBytes.Length);
        nameBytes.CopyTo(header, 5);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(5 + nameBytes.Length), length);
        return header;
    }

    /// <summary>
    /// Reads exactly <paramref name="destination"/>.Length bytes: straight into it, except the last megabyte, which
    /// goes through a pooled 1 MB staging buffer. A socket keeps a reference to the last buffer it received into;
    /// staging the end keeps an idle connection from holding a large value in memory after the transfer.
    /// </summary>
    /// <returns>False when the stream ended first.</returns>
    public static async ValueTask<bool> ReadIntoAsync(Stream stream, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var staging = ArrayPool<byte>.Shared.Rent(StagingSize);
        try
        {
            var offset = 0;
            while (destination.Length - offset > StagingSize)
            {
                // Straight into the destination, except the last megabyte, so the socket's last buffer is the staging one.
                var read = await stream.ReadAsync(destination[offset..^StagingSize], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                offset += read;
            }

            while (offset < destination.Length)
            {
                var read = await stream.ReadAsync(staging.AsMemory(0, Math.Min(StagingSize, destination.Length - offset)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                staging.AsSpan(0, read).CopyTo(destination.Span[offset..]);
                offset += read;
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(staging);
        }
    }

    /// <summary>
    /// Writes <paramref name="source"/> through a pooled 1 MB staging buffer, so that the socket's last buffer is never
    /// part of a large value (see <see cref="ReadIntoAsync"/>).
    /// </summary>
    public static async ValueTask WriteFromAsync(Stream stream, ReadOnlySequence<byte> source, CancellationToken cancellationToken)
    {
        var staging = ArrayPool<byte>.Shared.Rent(StagingSize);
        try
        {
            while (source.Length > 0)
            {
                var length = (int)Math.Min(StagingSize, source.Length);
                source.Slice(0, length).CopyTo(staging);
                await stream.WriteAsync(staging.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                source = source.Slice(length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(staging);
        }
    }

    private const int StagingSize = 1024 * 1024;
}
