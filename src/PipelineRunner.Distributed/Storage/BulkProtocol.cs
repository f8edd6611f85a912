using System.Buffers.Binary;
using System.Text;

namespace PipelineRunner.Distributed.Storage;

/// <summary>
/// The store's bulk protocol on its own TCP endpoint. Every request is
/// <c>[op:1][name length:4][name:UTF-8][value length:8][value]</c> (the value only for a publish); every response is
/// <c>[status:1][length:8][value or UTF-8 error]</c>. Little-endian. A connection carries requests one after another.
/// </summary>
internal static class BulkProtocol
{
    public const byte Publish = 1;
    public const byte Get = 2;
    public const byte Ok = 0;
    public const byte NotFound = 1;
    public const byte Invalid = 2;
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
}
