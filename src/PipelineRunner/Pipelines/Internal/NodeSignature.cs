using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// How a node's datasets bind to its function: which delegate parameter each input fills, the declared type of each
/// input and output, and how a result splits into outputs. Built once per node; immutable and shared by copies.
/// </summary>
internal sealed class NodeSignature
{
    private const int CancellationTokenSource = -1;
    private const int DefaultValueSource = -2;
    private const int ParamsSource = -3;

    private readonly Func<Delegate, object?[], ValueTask<object?>> _invoker;
    private readonly int[] _parameterSources;
    private readonly object?[] _defaults;
    private readonly bool _identityBinding;
    private readonly Type? _paramsElement;
    private readonly int _paramsStart;
    private readonly MemberInfo?[]? _outputMembers;
    private readonly ChunkSource? _chunks;

    private NodeSignature(
        Func<Delegate, object?[], ValueTask<object?>> invoker,
        int[] parameterSources,
        object?[] defaults,
        Type[] inputTypes,
        Type?[] outputTypes,
        MemberInfo?[]? outputMembers,
        Type returnType,
        Type? paramsElement,
        int paramsStart,
        ChunkSource? chunks)
    {
        _invoker = invoker;
        _chunks = chunks;
        _paramsElement = paramsElement;
        _paramsStart = paramsStart;
        _parameterSources = parameterSources;
        _defaults = defaults;
        _identityBinding = parameterSources.Length == inputTypes.Length && parameterSources.Select((source, i) => source == i).All(x => x);
        InputTypes = inputTypes;
        OutputTypes = outputTypes;
        _outputMembers = outputMembers;
        ReturnType = returnType;
    }

    public Type[] InputTypes { get; }

    /// <summary>Declared type per output; null where the function's return type does not say.</summary>
    public Type?[] OutputTypes { get; }

    /// <summary>What the function returns once awaited; for a generator node, the type of each chunk.</summary>
    public Type ReturnType { get; }

    /// <summary>Whether the function yields its outputs in chunks (see <see cref="Node.IsGenerator"/>).</summary>
    public bool IsGenerator => _chunks is not null;

    private static readonly ConcurrentDictionary<(Type, MethodInfo), (ParameterInfo[] Named, ParameterInfo[] Typed, Type ReturnType)> Shapes = new();

    private static readonly ConcurrentDictionary<SignatureKey, NodeSignature> Signatures = new();

    /// <summary>
    /// The signature for a function and binding shape. Signatures do not depend on dataset names (only on the kind and
    /// count of inputs and outputs, and on parameter names and result keys for mappings), so nodes built from one
    /// function share one signature: a 100,000-node pipeline of a few functions holds a few signatures.
    /// </summary>
    /// <param name="function">The node's function.</param>
    /// <param name="inputs">How inputs bind.</param>
    /// <param name="outputs">How outputs bind.</param>
    /// <param name="functionName">The function's readable name, for errors.</param>
    /// <param name="generator">True to treat the function as a generator (<see cref="Node.AsGenerator"/>); null to
    /// decide by the function itself: a C# iterator method (<c>yield return</c>) is one.</param>
    public static NodeSignature Create(Delegate function, NodeInputs inputs, NodeOutputs outputs, string functionName, bool? generator = null)
    {
        var isGenerator = generator ?? IsIteratorFunction(function);
        var key = new SignatureKey(
            function.GetType(),
            function.Method,
            inputs.Kind,
            inputs.Datasets.Count,
            inputs.ParameterNames is null ? null : string.Join('\0', inputs.ParameterNames),
            outputs.Kind,
            outputs.Datasets.Count,
            outputs.Keys is null ? null : string.Join('\0', outputs.Keys),
            isGenerator);
        if (Signatures.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var created = Build(function, inputs, outputs, functionName, isGenerator);
        return Signatures.TryAdd(key, created) ? created : Signatures[key];
    }

    /// <summary>
    /// Kedro's <c>Node.inputs</c> for a dictionary: the same pairs in the order of the function's parameters, so the
    /// dictionary's own order changes neither the node's inputs nor its default name. A key the function does not take
    /// is an error naming the node, every such key and the function's parameters.
    /// </summary>
    public static NodeInputs InParameterOrder(Delegate function, NodeInputs inputs, string functionName, string context)
    {
        var (parameters, invokeParameters, _) = Shape(function);
        var dataParameters = new List<string>(parameters.Length);
        for (var i = 0; i < parameters.Length; i++)
        {
            if (invokeParameters[i].ParameterType != typeof(CancellationToken))
            {
                dataParameters.Add(parameters[i].Name ?? string.Empty);
            }
        }

        var names = inputs.ParameterNames!;
        var unknown = names.Where(n => !dataParameters.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Inputs of '{functionName}' function expected [{string.Join(", ", dataParameters)}], but got {inputs.Describe()}: " +
                $"{context} maps parameter(s) [{string.Join(", ", unknown)}] that the function does not take.");
        }

        var order = Enumerable.Range(0, names.Count).OrderBy(i => dataParameters.IndexOf(names[i])).ToArray(); // stable
        for (var i = 0; i < order.Length; i++)
        {
            if (order[i] != i)
            {
                return inputs.Reorder(order);
            }
        }

        return inputs;
    }

    private static (ParameterInfo[] Named, ParameterInfo[] Typed, Type ReturnType) Shape(Delegate function) =>
        Shapes.GetOrAdd((function.GetType(), function.Method), static key =>
        {
            var invoke = key.Item1.GetMethod("Invoke")!;
            var typed = invoke.GetParameters();
            var named = key.Item2.GetParameters();
            if (named.Length == typed.Length + 1)
            {
                named = named[1..]; // a static method closed over its first argument
            }

            return (named.Length == typed.Length ? named : typed, typed, invoke.ReturnType);
        });

    /// <summary>
    /// Whether a function is a C# iterator method (<c>yield return</c>, sync or async) seen through a delegate that
    /// returns a sequence: the .NET counterpart of a Python generator function, which Kedro runs chunk by chunk. An
    /// iterator seen as <c>Func&lt;..., object&gt;</c> or returning an enumerator is not one: its result is one value.
    /// </summary>
    internal static bool IsIteratorFunction(Delegate function)
    {
        var method = function.Method;
        return (method.IsDefined(typeof(IteratorStateMachineAttribute), false) || method.IsDefined(typeof(AsyncIteratorStateMachineAttribute), false))
            && ChunkSource.For(DelegateInvoker.UnwrapReturnType(Shape(function).ReturnType)) is not null;
    }

    private static NodeSignature Build(Delegate function, NodeInputs inputs, NodeOutputs outputs, string functionName, bool isGenerator)
    {
        var (parameters, invokeParameters, invokeReturnType) = Shape(function);
        var sources = new int[parameters.Length];
        var defaults = new object?[parameters.Length];
        var inputTypes = new Type[inputs.Datasets.Count];
        var dataParameters = new List<int>();
        Type? paramsElement = null;
        var paramsStart = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = invokeParameters[i].ParameterType;
            if (type.IsByRef || type.IsPointer)
            {
                throw new ArgumentException(
                    $"Function '{functionName}' has parameter '{parameters[i].Name}' passed by reference or pointer; node functions take their inputs by value.");
            }

            if (type == typeof(CancellationToken))
            {
                sources[i] = CancellationTokenSource;
                continue;
            }

            sources[i] = DefaultValueSource;
            defaults[i] = parameters[i].HasDefaultValue ? parameters[i].DefaultValue : null;
            dataParameters.Add(i);
        }

        string Expected() => "[" + string.Join(", ", dataParameters.Select(p => parameters[p].Name)) + "]";
        string Got() => inputs.Describe();

        if (inputs.Kind == NodeBindingKind.Mapping)
        {
            for (var input = 0; input < inputs.Datasets.Count; input++)
            {
                var parameterName = inputs.ParameterNames![input];
                var position = dataParameters.FindIndex(p => parameters[p].Name == parameterName);
                if (position < 0)
                {
                    throw new ArgumentException(
                        $"Inputs of '{functionName}' function expected {Expected()}, but got {Got()}: the function has no parameter named '{parameterName}'.");
                }

                var parameter = dataParameters[position];
                if (sources[parameter] >= 0)
                {
                    throw new ArgumentException(
                        $"Inputs of '{functionName}' function expected {Expected()}, but got {Got()}: parameter '{parameterName}' is bound twice.");
                }

                sources[parameter] = input;
                inputTypes[input] = invokeParameters[parameter].ParameterType;
            }
        }
        else
        {
            // A trailing `params T[]` parameter collects the remaining inputs, like Python's *args.
            var last = dataParameters.Count > 0 ? dataParameters[^1] : -1;
            var variadic = last >= 0 && invokeParameters[last].ParameterType.IsArray
                && (parameters[last].IsDefined(typeof(ParamArrayAttribute), false) || invokeParameters[last].IsDefined(typeof(ParamArrayAttribute), false));
            var positional = variadic ? dataParameters.Count - 1 : dataParameters.Count;
            if (!variadic && inputs.Datasets.Count > dataParameters.Count)
            {
                throw new ArgumentException(
                    $"Inputs of '{functionName}' function expected {Expected()}, but got {Got()}: {inputs.Datasets.Count} input(s) for {dataParameters.Count} parameter(s).");
            }

            for (var input = 0; input < Math.Min(positional, inputs.Datasets.Count); input++)
            {
                sources[dataParameters[input]] = input;
                inputTypes[input] = invokeParameters[dataParameters[input]].ParameterType;
            }

            if (variadic)
            {
                paramsElement = invokeParameters[last].ParameterType.GetElementType()!;
                paramsStart = positional;
                sources[last] = ParamsSource;
                for (var input = positional; input < inputs.Datasets.Count; input++)
                {
                    inputTypes[input] = paramsElement;
                }
            }
        }

        foreach (var parameter in dataParameters)
        {
            if (sources[parameter] == DefaultValueSource && !parameters[parameter].HasDefaultValue)
            {
                throw new ArgumentException(
                    $"Inputs of '{functionName}' function expected {Expected()}, but got {Got()}: parameter '{parameters[parameter].Name}' has no input and no default value.");
            }
        }

        var returnType = DelegateInvoker.UnwrapReturnType(invokeReturnType);
        ChunkSource? chunks = null;
        if (isGenerator)
        {
            // A generator's outputs are bound to each chunk: its declared types are the chunk's, not the sequence's.
            chunks = ChunkSource.For(returnType) ?? throw new ArgumentException(
                $"Function '{functionName}' returns {TypeNames.Describe(returnType)}, which is neither IEnumerable<T> nor IAsyncEnumerable<T>, so its node cannot be a generator node that yields its outputs in chunks.");
            returnType = chunks.ElementType;
        }

        var (outputTypes, members) = BindOutputs(outputs, returnType, functionName);
        return new NodeSignature(DelegateInvoker.For(function.GetType()), sources, defaults, inputTypes, outputTypes, members, returnType, paramsElement, paramsStart, chunks);
    }

    public ValueTask<object?> InvokeAsync(Delegate function, object?[] inputValues, CancellationToken cancellationToken)
    {
        if (_identityBinding)
        {
            return _invoker(function, inputValues); // parameters are exactly the inputs, in order
        }

        var args = new object?[_parameterSources.Length];
        for (var i = 0; i < args.Length; i++)
        {
            var source = _parameterSources[i];
            args[i] = source switch
            {
                >= 0 => inputValues[source],
                CancellationTokenSource => cancellationToken,
                ParamsSource => CollectParams(inputValues),
                _ => _defaults[i],
            };
        }

        return _invoker(function, args);
    }

    /// <summary>
    /// The chunks of a generator node's result, read one at a time as the function yields them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The function returned null instead of a sequence.</exception>
    public ChunkReader ReadChunks(object? result, Node node, CancellationToken cancellationToken)
    {
        if (_chunks is null)
        {
            throw new InvalidOperationException($"Node '{node.Name}' is not a generator node.");
        }

        return result is null
            ? throw new InvalidOperationException($"Node '{node.Name}' is a generator node, but its function returned null instead of a sequence of chunks.")
            : _chunks.Read(result, cancellationToken);
    }

    private Array CollectParams(object?[] inputValues)
    {
        var values = Array.CreateInstance(_paramsElement!, inputValues.Length - _paramsStart);
        for (var k = 0; k < values.Length; k++)
        {
            values.SetValue(inputValues[_paramsStart + k], k);
        }

        return values;
    }

    /// <summary>
    /// Splits a function result into one value per output, or throws with what did not match. A result of a node
    /// without outputs is dropped, with Kedro's warning when it is not null.
    /// </summary>
    public object?[] SplitOutputs(object? result, Node node, ILogger? logger)
    {
        var outputs = node.OutputBinding;
        switch (outputs.Kind)
        {
            case NodeBindingKind.None:
                if (result is not null && logger is not null)
                {
                    NodeLog.ReturnValueIgnored(logger, node.ShortNameOrFunction, TypeNames.Describe(result.GetType()));
                }

                return [];
            case NodeBindingKind.Single:
                return [result];
            case NodeBindingKind.List:
                return SplitList(result, outputs, node.ToString());
            default:
                return SplitMapping(result, outputs, node);
        }
    }

    private static object?[] SplitList(object? result, NodeOutputs outputs, string nodeDescription)
    {
        var expected = outputs.Datasets.Count;
        object?[] values;
        if (result is ITuple tuple)
        {
            values = new object?[tuple.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = tuple[i];
            }
        }
        else if (result is IList list)
        {
            values = new object?[list.Count];
            list.CopyTo(values, 0);
        }
        else
        {
            throw new InvalidOperationException(
                $"Failed to save outputs of node {nodeDescription}.\nThe node definition contains a list of outputs [{string.Join(", ", outputs.Datasets)}], whereas the node function returned a '{(result is null ? "null" : TypeNames.Describe(result.GetType()))}'.");
        }

        if (values.Length != expected)
        {
            throw new InvalidOperationException(
                $"Failed to save outputs of node {nodeDescription}.\nThe node function returned {values.Length} output(s), whereas the node definition contains {expected} output(s).");
        }

        return values;
    }

    private object?[] SplitMapping(object? result, NodeOutputs outputs, Node node)
    {
        var keys = outputs.Keys!;
        var values = new object?[keys.Count];
        if (result is IDictionary dictionary)
        {
            var actual = dictionary.Keys.Cast<object>().Select(k => k.ToString() ?? string.Empty).ToHashSet(StringComparer.Ordinal);
            if (!actual.SetEquals(keys))
            {
                throw new InvalidOperationException(
                    $"Failed to save outputs of node {node}.\nThe node's output keys [{string.Join(", ", keys.Order(StringComparer.Ordinal))}] do not match with the returned output's keys [{string.Join(", ", actual.Order(StringComparer.Ordinal))}].");
            }

            for (var i = 0; i < keys.Count; i++)
            {
                values[i] = dictionary[keys[i]];
            }

            return values;
        }

        // Kedro requires a dictionary here; a .NET result may also be an object whose public members have the keys'
        // names. When the declared return type says which members, they were resolved when the node was created.
        if (result is null)
        {
            throw new InvalidOperationException(
                $"Failed to save outputs of node {node}.\nThe node output is a dictionary, whereas the function output is null: it has no keys or members [{string.Join(", ", keys)}].");
        }

        var members = _outputMembers ?? RuntimeMembers(result.GetType(), keys, node);
        for (var i = 0; i < keys.Count; i++)
        {
            values[i] = members[i] is PropertyInfo property ? property.GetValue(result) : ((FieldInfo)members[i]!).GetValue(result);
        }

        return values;
    }

    private static MemberInfo?[] RuntimeMembers(Type type, IReadOnlyList<string> keys, Node node)
    {
        var missing = keys.Where(k => FindMember(type, k) is null).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Failed to save outputs of node {node}.\nThe node output is a dictionary, whereas the function output is {TypeNames.Describe(type)}, " +
                $"which is not a dictionary and has no public property or field [{string.Join(", ", missing)}] (it has: {string.Join(", ", PublicMembers(type))}).");
        }

        return ResolveMembers(type, keys, node.ToString());
    }

    private static MemberInfo? FindMember(Type type, string name) =>
        (MemberInfo?)type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) ?? type.GetField(name, BindingFlags.Public | BindingFlags.Instance);

    private static IEnumerable<string> PublicMembers(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name)
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name));

    private static (Type?[] Types, MemberInfo?[]? Members) BindOutputs(NodeOutputs outputs, Type returnType, string functionName)
    {
        var count = outputs.Datasets.Count;
        var types = new Type?[count];
        if (outputs.Kind == NodeBindingKind.None)
        {
            return (types, null);
        }

        if (returnType == typeof(void))
        {
            throw new ArgumentException(
                $"Function '{functionName}' returns nothing, but the node declares outputs {outputs.Describe()}.");
        }

        if (returnType == typeof(object))
        {
            return (types, null);
        }

        switch (outputs.Kind)
        {
            case NodeBindingKind.Single:
                types[0] = returnType;
                return (types, null);
            case NodeBindingKind.List:
                {
                    var tupleTypes = TupleElementTypes(returnType);
                    if (tupleTypes is not null)
                    {
                        if (tupleTypes.Count != count)
                        {
                            throw new ArgumentException(
                                $"Function '{functionName}' returns a tuple of {tupleTypes.Count} element(s) ({TypeNames.Describe(returnType)}), but the node declares {count} output(s) {outputs.Describe()}.");
                        }

                        return (tupleTypes.ToArray(), null);
                    }

                    var element = ListElementType(returnType);
                    if (element is null)
                    {
                        throw new ArgumentException(
                            $"Function '{functionName}' returns {TypeNames.Describe(returnType)}, which is neither a tuple nor a list, but the node declares a list of outputs {outputs.Describe()}.");
                    }

                    Array.Fill(types, element);
                    return (types, null);
                }

            default:
                {
                    var valueType = DictionaryValueType(returnType);
                    if (valueType is not null)
                    {
                        Array.Fill(types, valueType == typeof(object) ? null : valueType);
                        return (types, null);
                    }

                    if (returnType.IsInterface || returnType.IsAbstract)
                    {
                        return (types, null);
                    }

                    var keys = outputs.Keys!;
                    var members = ResolveMembers(returnType, keys, $"'{functionName}'");
                    for (var i = 0; i < count; i++)
                    {
                        types[i] = members[i] is PropertyInfo p ? p.PropertyType : ((FieldInfo)members[i]!).FieldType;
                    }

                    return (types, members);
                }
        }
    }

    private static MemberInfo?[] ResolveMembers(Type type, IReadOnlyList<string> keys, string owner)
    {
        var members = new MemberInfo?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            members[i] = FindMember(type, keys[i]);
            if (members[i] is null)
            {
                throw new ArgumentException(
                    $"Output key '{keys[i]}' of {owner} is not a public property or field of {TypeNames.Describe(type)} (it has: {string.Join(", ", PublicMembers(type))}).");
            }
        }

        return members;
    }

    private static List<Type>? TupleElementTypes(Type type)
    {
        if (!type.IsGenericType || !typeof(ITuple).IsAssignableFrom(type))
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        var result = new List<Type>(arguments.Length);
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i == 7 && TupleElementTypes(arguments[i]) is { } rest)
            {
                result.AddRange(rest); // the TRest of an 8+ element tuple
            }
            else
            {
                result.Add(arguments[i]);
            }
        }

        return result;
    }

    private static Type? ListElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        foreach (var candidate in type.GetInterfaces().Prepend(type))
        {
            if (candidate.IsGenericType)
            {
                var definition = candidate.GetGenericTypeDefinition();
                if (definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>))
                {
                    return candidate.GetGenericArguments()[0];
                }
            }
        }

        return typeof(IList).IsAssignableFrom(type) ? typeof(object) : null;
    }

    private static Type? DictionaryValueType(Type type)
    {
        foreach (var candidate in type.GetInterfaces().Prepend(type))
        {
            if (candidate.IsGenericType)
            {
                var definition = candidate.GetGenericTypeDefinition();
                if ((definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
                    && candidate.GetGenericArguments()[0] == typeof(string))
                {
                    return candidate.GetGenericArguments()[1];
                }
            }
        }

        return typeof(IDictionary).IsAssignableFrom(type) ? typeof(object) : null;
    }

    private readonly record struct SignatureKey(
        Type DelegateType,
        MethodInfo Method,
        NodeBindingKind InputKind,
        int InputCount,
        string? ParameterNames,
        NodeBindingKind OutputKind,
        int OutputCount,
        string? OutputKeys,
        bool Generator);
}
