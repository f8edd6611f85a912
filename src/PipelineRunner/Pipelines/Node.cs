using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Pipelines;

/// <summary>
/// A function with named inputs and outputs: the unit of work of a <see cref="Pipeline"/>. Immutable; the
/// <c>With...</c> methods return copies.
/// </summary>
/// <remarks>
/// The function may be synchronous or asynchronous (<see cref="Task"/>, <see cref="Task{TResult}"/>,
/// <see cref="ValueTask"/>, <see cref="ValueTask{TResult}"/>) and may take a <see cref="CancellationToken"/> parameter,
/// which receives the run's token and is not an input. Parameter and return types are kept so a pipeline can check,
/// before it runs, that every consumer accepts what its producer returns.
/// <para>
/// Equality and order are Kedro's (<c>Node._unique_key</c>): two nodes are equal when their full names, inputs and
/// outputs are equal, where inputs or outputs given as a dictionary are equal to the same pairs in any order, and one
/// dataset name, a list of names and a dictionary are different forms (<c>"a"</c> is not <c>["a"]</c>). Nodes sort by
/// full name (ordinal), then by inputs and outputs. The function, tags, confirms and retry policy do not take part:
/// a default name already depends on the function.
/// </para>
/// <para>
/// A <b>generator node</b> (<see cref="IsGenerator"/>) yields its outputs in chunks, as a Kedro node whose function is
/// a Python generator: runners save each chunk to the output datasets as it comes (a dataset that appends, such as a
/// CSV file in append mode, receives every chunk; one that replaces, such as a <see cref="Catalog.MemoryDataset"/>,
/// ends up holding the last). A node is one when its function is a C# iterator method (<c>yield return</c>, returning
/// <see cref="IEnumerable{T}"/> or <see cref="IAsyncEnumerable{T}"/>), or when made one with <see cref="AsGenerator"/>;
/// any other function that returns a sequence (a <see cref="List{T}"/>, an array, a LINQ query) returns one value.
/// </para>
/// </remarks>
public sealed partial class Node : IEquatable<Node>, IComparable<Node>
{
    private readonly NodeSignature _signature;
    private readonly string? _givenName;
    private readonly string[] _tags;
    private readonly string[] _confirms;

    private Node(
        Delegate function,
        NodeInputs inputs,
        NodeOutputs outputs,
        string? givenName,
        string[] tags,
        string? @namespace,
        string[] confirms,
        NodeSignature signature,
        string functionName,
        Runners.RetryPolicy? retryPolicy = null)
    {
        RetryPolicy = retryPolicy;
        Function = function;
        InputBinding = inputs;
        OutputBinding = outputs;
        _givenName = givenName;
        _tags = tags;
        Namespace = @namespace;
        _confirms = confirms;
        _signature = signature;
        FunctionName = functionName;
        var shortName = givenName ?? DefaultName(function, FunctionName, inputs, outputs);
        Name = @namespace is null ? shortName : $"{@namespace}.{shortName}";
    }

    /// <summary>The node's function.</summary>
    public Delegate Function { get; }

    /// <summary>A readable name of the function (its method name, or <c>lambda</c>).</summary>
    public string FunctionName { get; }

    /// <summary>The full name: <c>namespace.name</c>, or the name alone when there is no namespace.</summary>
    public string Name { get; }

    /// <summary>The namespace (dot-separated for nested modular pipelines), or null.</summary>
    public string? Namespace { get; }

    /// <summary>
    /// A short, readable name that need not be unique (Kedro's <c>short_name</c>): the given name without its
    /// namespace, or else the function's name in title case (<c>split_data</c> → <c>Split Data</c>).
    /// </summary>
    public string ShortName => _givenName
        ?? string.Join(' ', FunctionName.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>
    /// Every level of the node's namespace, outermost first (Kedro's <c>namespace_prefixes</c>): <c>a.b.c</c> gives
    /// <c>a</c>, <c>a.b</c>, <c>a.b.c</c>; empty without a namespace.
    /// </summary>
    public IReadOnlyList<string> NamespacePrefixes
    {
        get
        {
            if (Namespace is null)
            {
                return [];
            }

            var parts = Namespace.Split('.');
            var prefixes = new string[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                prefixes[i] = string.Join('.', parts, 0, i + 1);
            }

            return prefixes;
        }
    }

    /// <summary>The input dataset names, in binding order.</summary>
    public IReadOnlyList<string> Inputs => InputBinding.Datasets;

    /// <summary>The output dataset names, in order.</summary>
    public IReadOnlyList<string> Outputs => OutputBinding.Datasets;

    /// <summary>How the inputs bind to the function's parameters.</summary>
    public NodeInputs InputBinding { get; }

    /// <summary>How the function's result binds to the outputs.</summary>
    public NodeOutputs OutputBinding { get; }

    /// <summary>The tags, sorted ordinally.</summary>
    public IReadOnlyList<string> Tags => _tags;

    /// <summary>Datasets confirmed (see <see cref="Catalog.DataCatalog.ConfirmAsync"/>) after the node runs.</summary>
    public IReadOnlyList<string> Confirms => _confirms;

    /// <summary>The declared parameter type of each input, aligned with <see cref="Inputs"/>.</summary>
    public IReadOnlyList<Type> InputTypes => _signature.InputTypes;

    /// <summary>The declared type of each output, aligned with <see cref="Outputs"/>; null where the return type does not say.</summary>
    public IReadOnlyList<Type?> OutputTypes => _signature.OutputTypes;

    /// <summary>Creates a node; a generator node when <paramref name="function"/> is a C# iterator method (see <see cref="IsGenerator"/>).</summary>
    /// <param name="function">The function to run; sync or async.</param>
    /// <param name="inputs">Input datasets: a name, an array of names, or a parameter-name → dataset-name dictionary
    /// (bound by name, and listed in <see cref="Inputs"/> in the function's parameter order whatever the dictionary's
    /// order); null for none.</param>
    /// <param name="outputs">Output datasets: a name, an array of names (tuple members in order), or a member/key → dataset-name dictionary; null for none.</param>
    /// <param name="name">The node name; by default derived from the function name, inputs and outputs.</param>
    /// <param name="tags">Tags for filtering.</param>
    /// <param name="namespace">The namespace; the full name becomes <c>namespace.name</c>.</param>
    /// <param name="confirms">Datasets to confirm after the node runs.</param>
    /// <returns>The node.</returns>
    /// <exception cref="ArgumentException">A name, tag or dataset name is invalid, the inputs do not fit the function's
    /// parameters (a dictionary names parameters the function does not take), the outputs do not fit its return type, outputs repeat, or an input is also an output.</exception>
    public static Node Create(
        Delegate function,
        NodeInputs? inputs,
        NodeOutputs? outputs,
        string? name = null,
        IEnumerable<string>? tags = null,
        string? @namespace = null,
        IEnumerable<string>? confirms = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        inputs ??= NodeInputs.None;
        outputs ??= NodeOutputs.None;
        var functionName = ReadableFunctionName(function);
        var context = name is null ? $"node of function '{functionName}'" : $"node '{name}'";
        if (inputs.Kind == NodeBindingKind.None && outputs.Kind == NodeBindingKind.None)
        {
            throw new ArgumentException($"Invalid Node definition ({context}): it must have some 'inputs' or 'outputs'.");
        }

        for (var i = 0; i < inputs.Datasets.Count; i++)
        {
            DatasetNames.Validate(inputs.Datasets[i], context, "inputs");
        }

        for (var i = 0; i < outputs.Datasets.Count; i++)
        {
            DatasetNames.Validate(outputs.Datasets[i], context, "outputs");
        }

        if (name is not null)
        {
            ValidateName(name, "node name");
        }

        if (@namespace is not null)
        {
            ValidateName(@namespace, "node namespace");
        }

        var tagArray = NormalizeTags(tags);
        string[] confirmArray = confirms is null ? [] : [.. confirms];
        foreach (var dataset in confirmArray)
        {
            DatasetNames.Validate(dataset, context, "confirms");
        }

        if (inputs.Kind == NodeBindingKind.Mapping)
        {
            inputs = NodeSignature.InParameterOrder(function, inputs, functionName, context);
        }

        ValidateOutputsUnique(outputs, context);
        ValidateInputsDifferFromOutputs(inputs, outputs, context);
        var signature = NodeSignature.Create(function, inputs, outputs, functionName);
        return new Node(function, inputs, outputs, name, tagArray, @namespace, confirmArray, signature, functionName);
    }

    /// <summary>
    /// Whether the node is a generator node: its function returns a sequence (<see cref="IEnumerable{T}"/> or
    /// <see cref="IAsyncEnumerable{T}"/>) of chunks, each holding the node's outputs (one value, or a tuple, list,
    /// dictionary or record for several), which runners save as they come, chunk by chunk, each chunk to every output
    /// dataset in turn. <see cref="OutputTypes"/> are then the chunk's types. True for C# iterator methods
    /// (<c>yield return</c>, detected by the compiler's <see cref="System.Runtime.CompilerServices.IteratorStateMachineAttribute"/>
    /// or <see cref="System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute"/>) and for nodes made one with
    /// <see cref="AsGenerator"/>; false for any other function, so a function returning a list saves the list as one value.
    /// </summary>
    /// <remarks>
    /// A retried generator node runs its function again from the start, so an appending dataset receives the chunks
    /// saved before the failure again. A generator node without outputs runs its function to the end and drops the chunks.
    /// To save an iterator method's sequence as one value instead, materialize it in a lambda:
    /// <c>Node.Create((int n) => Rows(n).ToList(), "n", "rows")</c>; an iterator seen through a delegate returning
    /// <see cref="object"/> is not a generator either.
    /// </remarks>
    public bool IsGenerator => _signature.IsGenerator;

    /// <summary>
    /// Returns a copy that is a generator node (<see cref="IsGenerator"/>): its function's result, a sequence, is read
    /// chunk by chunk and each chunk saved as it comes, rather than saved as one value. For functions that are not C#
    /// iterator methods (lambdas cannot be), such as one returning a LINQ query, <c>File.ReadLines</c> or a channel's
    /// <c>ReadAllAsync()</c>.
    /// </summary>
    /// <returns>The generator node (this node when it already is one).</returns>
    /// <exception cref="ArgumentException">The function's return type (once awaited) is not an <see cref="IEnumerable{T}"/>
    /// or <see cref="IAsyncEnumerable{T}"/>, or its chunk type does not fit the outputs (a tuple of the wrong size, say).</exception>
    public Node AsGenerator()
    {
        if (IsGenerator)
        {
            return this;
        }

        var signature = NodeSignature.Create(Function, InputBinding, OutputBinding, FunctionName, generator: true);
        return new(Function, InputBinding, OutputBinding, _givenName, _tags, Namespace, _confirms, signature, FunctionName, RetryPolicy);
    }

    /// <summary>How this node is retried after a transient failure; null to use the runner's <see cref="Runners.RunnerOptions.RetryPolicy"/>.</summary>
    public Runners.RetryPolicy? RetryPolicy { get; }

    /// <summary>Returns a copy retried after transient failures as <paramref name="policy"/> says (overriding the runner's default).</summary>
    /// <param name="policy">The retry policy; <see cref="Runners.RetryPolicy.None"/> to never retry this node.</param>
    /// <returns>The node with its retry policy.</returns>
    public Node WithRetry(Runners.RetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new(Function, InputBinding, OutputBinding, _givenName, _tags, Namespace, _confirms, _signature, FunctionName, policy);
    }

    /// <summary>Returns a copy with <paramref name="tags"/> added to the existing tags.</summary>
    /// <param name="tags">Tags to add.</param>
    /// <returns>The tagged node.</returns>
    public Node WithTags(params IEnumerable<string> tags) =>
        new(Function, InputBinding, OutputBinding, _givenName, NormalizeTags(_tags.Concat(tags)), Namespace, _confirms, _signature, FunctionName, RetryPolicy);

    /// <summary>Returns a copy with a new name (the namespace is kept).</summary>
    /// <param name="name">The new name: letters, digits, hyphens, underscores and full stops.</param>
    /// <returns>The renamed node.</returns>
    public Node WithName(string name)
    {
        ValidateName(name, "node name");
        return new(Function, InputBinding, OutputBinding, name, _tags, Namespace, _confirms, _signature, FunctionName, RetryPolicy);
    }

    /// <summary>Returns a copy in another namespace (null for none); datasets are not renamed.</summary>
    /// <param name="namespace">The new namespace.</param>
    /// <returns>The node in its new namespace.</returns>
    public Node WithNamespace(string? @namespace)
    {
        if (@namespace is not null)
        {
            ValidateName(@namespace, "node namespace");
        }

        return new(Function, InputBinding, OutputBinding, _givenName, _tags, @namespace, _confirms, _signature, FunctionName, RetryPolicy);
    }

    /// <summary>
    /// Runs the node's function on the given inputs (keyed by dataset name) and returns its outputs keyed by dataset
    /// name. Runners load and save through the catalog; this method is for calling a node directly, as in tests.
    /// For a generator node each output maps to an <see cref="IReadOnlyList{T}"/> of <see cref="object"/> holding
    /// that output's chunks in order (the function is run to its end).
    /// </summary>
    /// <param name="inputs">A value for every input dataset.</param>
    /// <param name="cancellationToken">Passed to the function if it takes a token.</param>
    /// <returns>The outputs.</returns>
    /// <exception cref="ArgumentException">An input is missing or cannot be converted to its parameter's type.</exception>
    public async Task<IReadOnlyDictionary<string, object?>> RunAsync(
        IReadOnlyDictionary<string, object?> inputs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = new object?[Inputs.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!inputs.TryGetValue(Inputs[i], out var value))
            {
                throw new ArgumentException(
                    $"Node {Name} expected {Inputs.Count} input(s) [{string.Join(", ", Inputs)}], but got [{string.Join(", ", inputs.Keys.Order(StringComparer.Ordinal))}].",
                    nameof(inputs));
            }

            values[i] = ConvertInput(i, value);
        }

        var result = await InvokeAsync(values, cancellationToken).ConfigureAwait(false);
        if (IsGenerator)
        {
            return await CollectChunksAsync(result, cancellationToken).ConfigureAwait(false);
        }

        var split = SplitOutputs(result);
        var outputs = new Dictionary<string, object?>(split.Length, StringComparer.Ordinal);
        for (var i = 0; i < split.Length; i++)
        {
            outputs[Outputs[i]] = split[i];
        }

        return outputs;
    }

    private async Task<IReadOnlyDictionary<string, object?>> CollectChunksAsync(object? result, CancellationToken cancellationToken)
    {
        var chunks = new List<object?>[Outputs.Count];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = [];
        }

        var reader = ReadChunks(result, cancellationToken);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.MoveNextAsync().ConfigureAwait(false))
            {
                var split = SplitOutputs(reader.Current);
                for (var i = 0; i < split.Length; i++)
                {
                    chunks[i].Add(split[i]);
                }
            }
        }

        var outputs = new Dictionary<string, object?>(chunks.Length, StringComparer.Ordinal);
        for (var i = 0; i < chunks.Length; i++)
        {
            outputs[Outputs[i]] = chunks[i];
        }

        return outputs;
    }

    /// <summary>
    /// Kedro's description of a node (<c>str(node)</c>): <c>name: function([in1;in2]) -> [out]</c>, where the name
    /// prefix is the given name without its namespace (absent for a default name), inputs are listed in binding order
    /// (a dictionary's datasets in the function's parameter order), outputs in declared order, and <c>None</c> stands
    /// for no inputs or no outputs.
    /// </summary>
    /// <returns>The description, for example <c>split: split_data([raw;params:ratio]) -> [train;test]</c>.</returns>
    public override string ToString()
    {
        var prefix = _givenName is null ? string.Empty : _givenName + ": ";
        return $"{prefix}{FunctionName}({InputBinding.DescribeList()}) -> {OutputBinding.DescribeList()}";
    }

    /// <summary>
    /// Whether <paramref name="other"/> is the same node in Kedro's sense: equal full names, inputs and outputs (see
    /// the remarks of <see cref="Node"/>).
    /// </summary>
    /// <param name="other">Another node, or null.</param>
    /// <returns>True when the nodes are equal.</returns>
    public bool Equals(Node? other) => other is not null && (ReferenceEquals(this, other) || CompareTo(other) == 0);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Node);

    /// <summary>A hash of the full name (equal nodes have equal names).</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <summary>
    /// Kedro's order of nodes (<c>Node.__lt__</c>): by full name (ordinal), then by inputs, then by outputs; zero
    /// exactly when the nodes are equal. Null sorts first.
    /// </summary>
    /// <param name="other">Another node, or null.</param>
    /// <returns>Negative, zero or positive as this node sorts before, with or after <paramref name="other"/>.</returns>
    public int CompareTo(Node? other)
    {
        if (other is null)
        {
            return 1;
        }

        if (ReferenceEquals(this, other))
        {
            return 0;
        }

        var byName = string.CompareOrdinal(Name, other.Name);
        if (byName != 0)
        {
            return byName;
        }

        var byInputs = BindingKey.Compare(InputBinding.Key, other.InputBinding.Key);
        return byInputs != 0 ? byInputs : BindingKey.Compare(OutputBinding.Key, other.OutputBinding.Key);
    }

    /// <summary>Converts a loaded value for input <paramref name="index"/> to its parameter's type.</summary>
    internal object? ConvertInput(int index, object? value)
    {
        var target = _signature.InputTypes[index];
        if (value is null ? !target.IsValueType : target.IsInstanceOfType(value))
        {
            return value;
        }

        if (!ValueConverter.TryConvert(value, target, out var converted, out var problem))
        {
            throw new InvalidCastException(
                $"Node '{Name}' cannot take dataset '{Inputs[index]}' as its input of type {TypeNames.Describe(target)}: {problem}.");
        }

        return converted;
    }

    internal ValueTask<object?> InvokeAsync(object?[] inputValues, CancellationToken cancellationToken) =>
        _signature.InvokeAsync(Function, inputValues, cancellationToken);

    /// <summary>
    /// Splits the function's result into one value per output. A result of a node without outputs is dropped, and
    /// <paramref name="logger"/> (the runner's) gets Kedro's warning when it is not null.
    /// </summary>
    internal object?[] SplitOutputs(object? result, ILogger? logger = null) => _signature.SplitOutputs(result, this, logger);

    /// <summary>Starts reading a generator node's chunks from its function's result.</summary>
    internal ChunkReader ReadChunks(object? result, CancellationToken cancellationToken) => _signature.ReadChunks(result, this, cancellationToken);

    /// <summary>The given name without its namespace, or the function's name: how Kedro's warnings name a node.</summary>
    internal string ShortNameOrFunction => _givenName ?? FunctionName;

    /// <summary>A copy with renamed datasets and a new namespace, for modular pipelines.</summary>
    internal Node WithDatasets(Func<string, string> rename, string? @namespace) =>
        new(
            Function,
            InputBinding.Rename(rename),
            OutputBinding.Rename(rename),
            _givenName,
            _tags,
            @namespace,
            _confirms.Select(rename).ToArray(),
            _signature,
            FunctionName,
            RetryPolicy);

    internal static string ReadableFunctionName(Delegate function)
    {
        var name = function.Method.Name;
        if (!name.StartsWith('<'))
        {
            return name;
        }

        var local = LocalFunctionName().Match(name);
        return local.Success ? local.Groups[1].Value : "lambda";
    }

    private static string DefaultName(Delegate function, string functionName, NodeInputs inputs, NodeOutputs outputs)
    {
        // Kedro's default: the function name and a short hash of where it lives and what it reads and writes.
        var owner = function.Method.Name.StartsWith('<') ? string.Empty : function.Method.DeclaringType?.FullName + ".";
        var key = $"{owner}{functionName}|[{string.Join(", ", inputs.Datasets)}]|[{string.Join(", ", outputs.Datasets)}]";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return $"{functionName}__{Convert.ToHexStringLower(hash[..4])}";
    }

    private static void ValidateName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || !ValidName().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid {what}. It must contain only letters, digits, hyphens, underscores and/or fullstops.");
        }
    }

    private static string[] NormalizeTags(IEnumerable<string>? tags)
    {
        if (tags is null)
        {
            return [];
        }

        if (tags is string[] { Length: 1 } single)
        {
            ValidateName(single[0], "node tag");
            return [single[0]];
        }

        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            ValidateName(tag, "node tag");
            set.Add(tag);
        }

        return [.. set];
    }

    private static void ValidateOutputsUnique(NodeOutputs outputs, string context)
    {
        var names = outputs.Datasets;
        for (var i = 1; i < names.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (names[i] == names[j])
                {
                    var duplicates = names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key);
                    throw new ArgumentException(
                        $"Failed to create {context} due to duplicate output(s) [{string.Join(", ", duplicates)}].\nNode outputs must be unique.");
                }
            }
        }
    }

    private static void ValidateInputsDifferFromOutputs(NodeInputs inputs, NodeOutputs outputs, string context)
    {
        List<string>? common = null;
        foreach (var input in inputs.Datasets)
        {
            var inputBase = DatasetNames.StripTranscoding(input);
            foreach (var output in outputs.Datasets)
            {
                if (inputBase == DatasetNames.StripTranscoding(output) && !(common ??= []).Contains(inputBase))
                {
                    common.Add(inputBase);
                }
            }
        }

        if (common is not null)
        {
            throw new ArgumentException(
                $"Failed to create {context}.\nA node cannot have the same inputs and outputs even if they are transcoded: [{string.Join(", ", common)}].");
        }
    }

    [GeneratedRegex(@"^[\w\.-]+$")]
    private static partial Regex ValidName();

    [GeneratedRegex(@"^<[^>]*>g__([A-Za-z_][A-Za-z0-9_]*)\|")]
    private static partial Regex LocalFunctionName();
}
