using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// How a generator node's result is read: as an <see cref="IEnumerable{T}"/> or an <see cref="IAsyncEnumerable{T}"/>
/// of chunks of <see cref="ElementType"/>. One per sequence type, shared by signatures.
/// </summary>
internal sealed class ChunkSource
{
    private static readonly ConcurrentDictionary<Type, ChunkSource?> Sources = new();

    private static readonly MethodInfo OpenAsync =
        typeof(ChunkSource).GetMethod(nameof(EnumerateAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Func<object, CancellationToken, IAsyncEnumerator<object?>>? _async;

    private ChunkSource(Type elementType, Func<object, CancellationToken, IAsyncEnumerator<object?>>? async)
    {
        ElementType = elementType;
        _async = async;
    }

    /// <summary>The type of each chunk.</summary>
    public Type ElementType { get; }

    /// <summary>
    /// How to read a result of <paramref name="sequenceType"/>: an <see cref="IAsyncEnumerable{T}"/> (preferred when a
    /// type is both) or an <see cref="IEnumerable{T}"/>, the type itself or one it implements; a non-generic
    /// <see cref="IEnumerable"/> yields <see cref="object"/> chunks. Null for anything else.
    /// </summary>
    public static ChunkSource? For(Type sequenceType) => Sources.GetOrAdd(sequenceType, static type =>
    {
        var asyncElement = GenericArgument(type, typeof(IAsyncEnumerable<>));
        if (asyncElement is not null)
        {
            var open = OpenAsync.MakeGenericMethod(asyncElement).CreateDelegate<Func<object, CancellationToken, IAsyncEnumerator<object?>>>();
            return new ChunkSource(asyncElement, open);
        }

        var element = GenericArgument(type, typeof(IEnumerable<>));
        if (element is not null)
        {
            return new ChunkSource(element, null);
        }

        return typeof(IEnumerable).IsAssignableFrom(type) ? new ChunkSource(typeof(object), null) : null;
    });

    /// <summary>Starts reading the chunks of <paramref name="result"/>.</summary>
    public ChunkReader Read(object result, CancellationToken cancellationToken) =>
        _async is not null
            ? new ChunkReader(null, _async(result, cancellationToken), cancellationToken)
            : new ChunkReader(((IEnumerable)result).GetEnumerator(), null, cancellationToken);

    private static Type? GenericArgument(Type type, Type definition)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == definition)
        {
            return type.GetGenericArguments()[0];
        }

        foreach (var candidate in type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == definition)
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static IAsyncEnumerator<object?> EnumerateAsync<T>(object source, CancellationToken cancellationToken) =>
        new BoxingEnumerator<T>(((IAsyncEnumerable<T>)source).GetAsyncEnumerator(cancellationToken));

    /// <summary>Boxes the chunks of an async sequence of any element type, value types included.</summary>
    private sealed class BoxingEnumerator<T>(IAsyncEnumerator<T> inner) : IAsyncEnumerator<object?>
    {
        public object? Current => inner.Current;

        public ValueTask<bool> MoveNextAsync() => inner.MoveNextAsync();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
