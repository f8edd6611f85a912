using System.Buffers;
using System.Collections.Concurrent;
using MessagePack;
using PipelineRunner.Catalog;

namespace PipelineRunner.Distributed.Protocol;

/// <summary>
/// The runtime type of a stored value, for a consumer that asks for <see cref="object"/>: a few bytes in front of the
/// MessagePack payload, written by the producer from the value's own type when that type is on a fixed allowlist
/// (primitives, <see cref="string"/>, <see cref="DateTime"/>, <see cref="DateTimeOffset"/>, <see cref="TimeSpan"/>,
/// <see cref="Guid"/>, and <c>T[]</c>, <see cref="List{T}"/>, <see cref="Dictionary{TKey, TValue}"/> with string keys
/// and <see cref="HashSet{T}"/> of those, nested). The tag is a code per allowlisted type, never a type name: reading
/// it builds a type only out of the allowlist, so the wire cannot name any other type.
/// </summary>
/// <remarks>
/// Layout: <see cref="Marker"/> (<c>0xC1</c>, the one byte MessagePack never uses, so a tagged payload can never be
/// mistaken for an untagged one), then the type in prefix order: a container code followed by its element's code, down
/// to a leaf code. <c>int</c> is <c>C1 06</c>, <c>List&lt;int[]&gt;</c> is <c>C1 41 40 06</c>. Values of other types,
/// <see langword="null"/> and a top-level <see cref="T:byte[]"/> (MessagePack reads it back as a byte array anyway, and
/// large ones are received in place) carry no tag.
/// </remarks>
internal static class ValueTypeTag
{
    /// <summary>The first byte of a tagged payload: MessagePack's never-used code.</summary>
    public const byte Marker = MessagePackCode.NeverUsed;

    /// <summary>How many containers may nest (<c>List&lt;Dictionary&lt;string, int[]&gt;&gt;</c> is three).</summary>
    public const int MaxDepth = 4;

    private const byte ObjectCode = 19;
    private const byte ArrayCode = 0x40;
    private const byte ListCode = 0x41;
    private const byte DictionaryCode = 0x42;
    private const byte HashSetCode = 0x43;

    /// <summary>Leaf codes 1..19; index 0 is unused. <see cref="object"/> is an element only, never a whole value.</summary>
    private static readonly Type[] Leaves =
    [
        null!, typeof(bool), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
        typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(char), typeof(string),
        typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(Guid), typeof(object),
    ];

    private static readonly ConcurrentDictionary<Type, byte[]> Tags = new();

    /// <summary>
    /// Types of valid tags read so far, by their codes packed into a number (at most 5 nonzero codes, so distinct tags
    /// never collide); bounded by the allowlist, whatever the wire sends.
    /// </summary>
    private static readonly ConcurrentDictionary<ulong, Type> Decoded = new();

    /// <summary>The tag for a value of <paramref name="type"/>, or an empty array when such values go untagged.</summary>
    public static byte[] For(Type type) => Tags.GetOrAdd(type, static t =>
    {
        if (t == typeof(byte[]))
        {
            return [];
        }

        var codes = new List<byte> { Marker };
        return TryAppend(t, codes, depth: 0, element: false) ? [.. codes] : [];
    });

    private static bool TryAppend(Type type, List<byte> codes, int depth, bool element)
    {
        var leaf = Array.IndexOf(Leaves, type, 1);
        if (leaf > 0)
        {
            codes.Add((byte)leaf);
            return element || leaf != ObjectCode;
        }

        if (depth == MaxDepth)
        {
            return false;
        }

        Type elementType;
        if (type.IsSZArray)
        {
            codes.Add(ArrayCode);
            elementType = type.GetElementType()!;
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(HashSet<>) || definition == typeof(Dictionary<,>)))
        {
            var arguments = type.GetGenericArguments();
            if (definition == typeof(Dictionary<,>))
            {
                if (arguments[0] != typeof(string))
                {
                    return false;
                }

                codes.Add(DictionaryCode);
                elementType = arguments[1];
            }
            else
            {
                codes.Add(definition == typeof(List<>) ? ListCode : HashSetCode);
                elementType = arguments[0];
            }
        }
        else
        {
            return false;
        }

        return TryAppend(elementType, codes, depth + 1, element: true);
    }

    /// <summary>
    /// Reads the tag at the start of <paramref name="bytes"/> if there is one, leaving <paramref name="bytes"/> at the
    /// MessagePack payload after it. Returns the tagged type, or null for an untagged payload.
    /// </summary>
    /// <exception cref="DatasetException">The tag has an unknown code, nests too deep or is cut short.</exception>
    public static Type? Read(string datasetName, ref ReadOnlySequence<byte> bytes)
    {
        var first = bytes.FirstSpan;
        if (first.Length > 0 && first[0] != Marker)
        {
            return null; // the common case: an untagged payload, decided from the first byte
        }

        if (first.Length > 1 && first[1] is > 0 and < ObjectCode)
        {
            bytes = bytes.Slice(2); // a primitive: the marker and one leaf code
            return Leaves[first[1]];
        }

        // The longest tag is the marker, MaxDepth containers and a leaf; copying at most that many bytes also covers a
        // tag split across segments.
        Span<byte> prefix = stackalloc byte[MaxDepth + 2];
        var length = (int)Math.Min(bytes.Length, prefix.Length);
        prefix = prefix[..length];
        bytes.Slice(0, length).CopyTo(prefix);
        if (length == 0 || prefix[0] != Marker)
        {
            return null; // empty, or a first segment that was empty
        }

        var position = 1;
        Validate(datasetName, prefix, ref position, depth: 0, element: false);
        var codes = prefix[1..position];
        ulong key = 0;
        foreach (var code in codes)
        {
            key = (key << 8) | code;
        }

        var type = Decoded.TryGetValue(key, out var known) ? known : Decoded.GetOrAdd(key, Build(codes));
        bytes = bytes.Slice(position);
        return type;
    }

    /// <summary>Checks a tag's codes from <paramref name="position"/>, leaving it after the tag.</summary>
    private static void Validate(string datasetName, ReadOnlySpan<byte> prefix, ref int position, int depth, bool element)
    {
        if (position >= prefix.Length)
        {
            throw Refused(datasetName, "its type tag is cut short");
        }

        var code = prefix[position++];
        if (code > 0 && code < Leaves.Length && (element || code != ObjectCode))
        {
            return;
        }

        if (code is < ArrayCode or > HashSetCode)
        {
            throw Refused(datasetName, $"its type tag has an unknown code 0x{code:X2}");
        }

        if (depth == MaxDepth)
        {
            throw Refused(datasetName, $"its type tag nests containers deeper than {MaxDepth}");
        }

        Validate(datasetName, prefix, ref position, depth + 1, element: true);
    }

    /// <summary>The type of validated codes: allowlisted leaves inside the four allowlisted containers.</summary>
    private static Type Build(ReadOnlySpan<byte> codes)
    {
        var code = codes[0];
        if (code < ArrayCode)
        {
            return Leaves[code];
        }

        var elementType = Build(codes[1..]);
        return code switch
        {
            ArrayCode => elementType.MakeArrayType(),
            ListCode => typeof(List<>).MakeGenericType(elementType),
            DictionaryCode => typeof(Dictionary<,>).MakeGenericType(typeof(string), elementType),
            _ => typeof(HashSet<>).MakeGenericType(elementType),
        };
    }

    private static DatasetException Refused(string datasetName, string reason) => new(
        datasetName,
        $"Dataset '{datasetName}': the stored value is refused: {reason}; it was not written by this version of PipelineRunner or was altered.",
        null);
}
