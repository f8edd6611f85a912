using System.Reflection;
using MessagePack;
using MessagePack.Resolvers;

namespace PipelineRunner.Catalog;

/// <summary>How a <see cref="MemoryDataset"/> hands out and stores values (Kedro's <c>copy_mode</c>).</summary>
public enum MemoryCopyMode
{
    /// <summary>Store and return the same instance (Kedro's <c>assign</c>). The default.</summary>
    Assign,

    /// <summary>A shallow copy: <see cref="ICloneable.Clone"/> when implemented, otherwise a member-wise clone.</summary>
    Copy,

    /// <summary>A deep copy through a MessagePack round trip of the value's runtime type.</summary>
    DeepCopy,
}

/// <summary>
/// Holds a value in memory. Loading an empty dataset fails; releasing forgets the value. Ephemeral.
/// </summary>
/// <remarks>
/// Kedro deep-copies arbitrary objects by default. .NET has no general deep copy, so the default here is
/// <see cref="MemoryCopyMode.Assign"/>; choose <see cref="MemoryCopyMode.Copy"/> or <see cref="MemoryCopyMode.DeepCopy"/>
/// when nodes mutate their inputs.
/// </remarks>
public sealed class MemoryDataset : IDataset
{
    private static readonly MessagePackSerializerOptions DeepCopyOptions =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolverAllowPrivate.Instance);

    private static readonly Func<object, object> MemberwiseCloneMethod =
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!
            .CreateDelegate<Func<object, object>>();

    /// <summary>Marks an empty dataset, so one volatile reference holds both the value and whether there is one.</summary>
    private static readonly object Empty = new();

    private object? _value = Empty;

    /// <summary>Creates an empty memory dataset.</summary>
    /// <param name="copyMode">How values are copied on save and load.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The empty and the initial-value constructors differ by their required parameter; both shipped in the first baseline.")]
    public MemoryDataset(MemoryCopyMode copyMode = MemoryCopyMode.Assign) => CopyMode = copyMode;

    /// <summary>Creates a memory dataset holding <paramref name="data"/>.</summary>
    /// <param name="data">The initial value.</param>
    /// <param name="copyMode">How values are copied on save and load.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The empty and the initial-value constructors differ by their required parameter; both shipped in the first baseline.")]
    public MemoryDataset(object? data, MemoryCopyMode copyMode = MemoryCopyMode.Assign)
        : this(copyMode)
    {
        _value = data;
    }

    /// <summary>How values are copied.</summary>
    public MemoryCopyMode CopyMode { get; }

    /// <inheritdoc />
    public bool IsEphemeral => true;

    /// <inheritdoc />
    public ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
    {
        var value = Volatile.Read(ref _value);
        return ReferenceEquals(value, Empty)
            ? throw new DatasetException("Data for MemoryDataset has not been saved yet.")
            : ValueTask.FromResult(CopyValue(value));
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _value, CopyValue(data));
        return default;
    }

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(!ReferenceEquals(Volatile.Read(ref _value), Empty));

    /// <inheritdoc />
    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _value, Empty);
        return default;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, object?> Describe()
    {
        var value = Volatile.Read(ref _value);
        return new Dictionary<string, object?>
        {
            ["type"] = nameof(MemoryDataset),
            ["data"] = ReferenceEquals(value, Empty) ? "<empty>" : value?.GetType().Name ?? "null",
            ["copy_mode"] = CopyMode.ToString(),
        };
    }

    /// <summary>The dataset as Kedro shows it: its data's type (not the data) and copy mode, such as <c>MemoryDataset(data=List`1, copy_mode=Copy)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var described = Describe();
        return $"{nameof(MemoryDataset)}(data={described["data"]}, copy_mode={described["copy_mode"]})";
    }

    private object? CopyValue(object? value)
    {
        if (value is null || CopyMode == MemoryCopyMode.Assign || value is string || value.GetType().IsPrimitive)
        {
            return value;
        }

        if (CopyMode == MemoryCopyMode.Copy)
        {
            return value is ICloneable cloneable ? cloneable.Clone()
                : CopyCollection(value) is { } collection ? collection
                : MemberwiseCloneMethod(value);
        }

        var type = value.GetType();
        var bytes = MessagePackSerializer.Serialize(type, value, DeepCopyOptions);
        return MessagePackSerializer.Deserialize(type, bytes, DeepCopyOptions);
    }

    /// <summary>
    /// A shallow copy of a collection (a list, dictionary or set: a new collection of the same elements, as Python's
    /// <c>copy.copy</c> gives), through its constructor taking another collection of its kind; a member-wise clone
    /// would share the backing storage, so editing the copy would edit the original. Null for other types.
    /// </summary>
    private static object? CopyCollection(object value)
    {
        var type = value.GetType();
        if (value is not System.Collections.IEnumerable)
        {
            return null;
        }

        foreach (var constructor in type.GetConstructors())
        {
            var parameters = constructor.GetParameters();
            if (parameters.Length == 1 && parameters[0].ParameterType.IsInterface && parameters[0].ParameterType.IsAssignableFrom(type)
                && parameters[0].ParameterType.IsGenericType)
            {
                return constructor.Invoke([value]);
            }
        }

        return null;
    }
}
