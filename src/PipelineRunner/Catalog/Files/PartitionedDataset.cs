using System.Collections;
using System.Reflection;
using System.Runtime.ExceptionServices;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Catalog.Files;

/// <summary>
/// A folder of partitions, each file one partition read and written by a dataset of its own (Kedro's
/// <c>partitions.PartitionedDataset</c>). A partition's id is its path relative to the folder, with <c>/</c> between
/// folders and without <see cref="FilenameSuffix"/>.
/// </summary>
/// <remarks>
/// <para>
/// A load lists the partitions and returns, in the order of their relative paths (ordinal, as Kedro's listing), a map of
/// partition id → loader that reads the partition only when called:
/// <c>IReadOnlyDictionary&lt;string, Func&lt;CancellationToken, ValueTask&lt;T&gt;&gt;&gt;</c>, where <c>T</c> is taken from
/// the requested type (a node parameter of that type) and is <see cref="object"/> when any type will do. A folder that
/// is missing or holds no partitions fails to load, as in Kedro. <see cref="LoadPartitionsAsync{T}"/> is the typed call.
/// </para>
/// <para>
/// A save takes a map of partition id → value (any <c>IDictionary</c> or sequence of
/// <c>KeyValuePair&lt;string, TValue&gt;</c>) and writes the partitions in the order of their ids. A value that is a
/// delegate is a lazy producer, called when its partition is written: <c>Func&lt;T&gt;</c> or
/// <c>Func&lt;CancellationToken, T&gt;</c>, where <c>T</c> may be a <see cref="Task{TResult}"/> or
/// <see cref="ValueTask{TResult}"/>. With <see cref="Overwrite"/>, the folder is deleted first.
/// </para>
/// <para>
/// Hidden files (such as <c>.gitkeep</c> and the temporary files of saves in progress) are not partitions.
/// </para>
/// </remarks>
public sealed class PartitionedDataset : IDataset
{
    private static readonly MethodInfo BuildLoadersMethod =
        typeof(PartitionedDataset).GetMethod(nameof(BuildLoaders), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private readonly Func<string, IDataset> _createPartition;

    /// <summary>Creates the dataset.</summary>
    /// <param name="folderPath">The folder that holds the partitions.</param>
    /// <param name="createPartition">
    /// Makes the dataset of one partition from its file path (the folder, the partition id and <see cref="FilenameSuffix"/>),
    /// for example <c>file =&gt; new TextDataset(file)</c>.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="folderPath"/> is empty.</exception>
    public PartitionedDataset(string folderPath, Func<string, IDataset> createPartition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folderPath);
        ArgumentNullException.ThrowIfNull(createPartition);
        FolderPath = folderPath;
        _createPartition = createPartition;
    }

    /// <summary>The folder that holds the partitions.</summary>
    public string FolderPath { get; }

    /// <summary>
    /// The end of every partition's file name (such as <c>.csv</c>): only files ending with it are partitions, and it is
    /// not part of partition ids. Empty (every file) by default.
    /// </summary>
    public string FilenameSuffix { get; init; } = string.Empty;

    /// <summary>Whether a save deletes the folder, and so every existing partition, first. <see langword="false"/> by default.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Always <see langword="false"/>: the partitions outlive the process.</summary>
    public bool IsEphemeral => false;

    /// <summary>The ids of the partitions in the folder, in the order a load returns them.</summary>
    /// <returns>The ids; none when the folder does not exist.</returns>
    public IReadOnlyList<string> ListPartitions() => FindPartitions().Select(p => p.Id).ToList();

    /// <summary>Lists the partitions and returns a loader for each, as <see cref="LoadAsync"/> does for <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type each partition is loaded as.</typeparam>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>Partition id → loader, in the order of the partitions' relative paths.</returns>
    /// <exception cref="DatasetException">There are no partitions, or a partition's dataset could not be created.</exception>
    public ValueTask<IReadOnlyDictionary<string, Func<CancellationToken, ValueTask<T>>>> LoadPartitionsAsync<T>(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyDictionary<string, Func<CancellationToken, ValueTask<T>>>>(BuildLoaders<T>(ListForLoad()));
    }

    /// <summary>
    /// Lists the partitions and returns partition id → loader, typed after <paramref name="requestedType"/>:
    /// <c>IReadOnlyDictionary&lt;string, Func&lt;CancellationToken, ValueTask&lt;T&gt;&gt;&gt;</c> (or a type it is assignable to,
    /// such as <c>IDictionary</c> of the same), or <see cref="object"/> for loaders of <see cref="object"/>.
    /// </summary>
    /// <param name="requestedType">The type wanted.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The loaders, in the order of the partitions' relative paths.</returns>
    /// <exception cref="DatasetException">
    /// The requested type is not such a map, there are no partitions, or a partition's dataset could not be created.
    /// </exception>
    public ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestedType);
        cancellationToken.ThrowIfCancellationRequested();
        var valueType = LoaderValueType(requestedType)
            ?? throw new DatasetException(
                $"{nameof(PartitionedDataset)} loads partition id → loader as IReadOnlyDictionary<string, Func<CancellationToken, ValueTask<T>>>, not as {ValueConverter.Describe(requestedType)}.");
        var partitions = ListForLoad();
        try
        {
            return ValueTask.FromResult(BuildLoadersMethod.MakeGenericMethod(valueType).Invoke(this, [partitions]));
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    /// <summary>Writes each partition of a map of partition id → value or lazy producer, in the order of the ids.</summary>
    /// <param name="data">The partitions (see the remarks of <see cref="PartitionedDataset"/>).</param>
    /// <param name="cancellationToken">Cancels the save between and during partitions.</param>
    /// <returns>A task that completes when every partition is written.</returns>
    /// <exception cref="DatasetException">
    /// The data is not such a map, an id is not a relative path inside the folder, or producing or saving a partition failed
    /// (the message names the partition).
    /// </exception>
    public async ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var partitions = ReadPartitions(data);
        if (Overwrite)
        {
            DeleteFolder();
        }

        foreach (var (id, value) in partitions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var dataset = CreatePartition(id);
            object? resolved;
            try
            {
                resolved = await ProduceAsync(value, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or DatasetException))
            {
                throw new DatasetException($"Failed to produce partition '{id}' of {Describe(this)}: {ex.Message}", ex);
            }

            if (resolved is null)
            {
                throw new DatasetException($"Saving 'null' to partition '{id}' of {Describe(this)} is not allowed.");
            }

            try
            {
                await dataset.SaveAsync(resolved, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new DatasetException($"Failed to save partition '{id}' of {Describe(this)}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Whether the folder holds at least one partition.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether a load would find partitions.</returns>
    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(FindPartitions().Count > 0);
    }

    /// <summary>Does nothing: partitions are listed afresh by every load.</summary>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>A completed task.</returns>
    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => default;

    /// <summary>The type, the folder, the file name suffix and whether saves overwrite.</summary>
    /// <returns>Key/value pairs describing the dataset.</returns>
    public IReadOnlyDictionary<string, object?> Describe() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["type"] = nameof(PartitionedDataset),
        ["path"] = FolderPath,
        ["filename_suffix"] = FilenameSuffix,
        ["overwrite"] = Overwrite,
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"{nameof(PartitionedDataset)}({string.Join(", ", Describe().Select(p => $"{p.Key}={p.Value}"))})";

    private static string Describe(PartitionedDataset dataset) => $"{nameof(PartitionedDataset)} at '{dataset.FolderPath}'";

    private static Type? LoaderValueType(Type requestedType)
    {
        if (requestedType == typeof(object))
        {
            return typeof(object);
        }

        if (!requestedType.IsGenericType || requestedType.GetGenericArguments() is not [var key, var loader] || key != typeof(string)
            || !loader.IsGenericType || loader.GetGenericTypeDefinition() != typeof(Func<,>)
            || loader.GetGenericArguments() is not [var token, var result] || token != typeof(CancellationToken)
            || !result.IsGenericType || result.GetGenericTypeDefinition() != typeof(ValueTask<>))
        {
            return null;
        }

        var built = typeof(OrderedDictionary<,>).MakeGenericType(typeof(string), loader);
        return requestedType.IsAssignableFrom(built) ? result.GetGenericArguments()[0] : null;
    }

    private OrderedDictionary<string, Func<CancellationToken, ValueTask<T>>> BuildLoaders<T>(List<(string Id, string File)> partitions)
    {
        var loaders = new OrderedDictionary<string, Func<CancellationToken, ValueTask<T>>>(partitions.Count, StringComparer.Ordinal);
        foreach (var (id, _) in partitions)
        {
            var dataset = CreatePartition(id);
            loaders.Add(id, cancellationToken => LoadPartitionAsync<T>(id, dataset, cancellationToken));
        }

        return loaders;
    }

    private async ValueTask<T> LoadPartitionAsync<T>(string id, IDataset dataset, CancellationToken cancellationToken)
    {
        object? value;
        try
        {
            value = await dataset.LoadAsync(typeof(T), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DatasetException($"Failed to load partition '{id}' of {Describe(this)}: {ex.Message}", ex);
        }

        return ValueConverter.TryConvert(value, typeof(T), out var converted, out var problem)
            ? (T)converted!
            : throw new DatasetException($"Partition '{id}' of {Describe(this)} cannot be loaded as {ValueConverter.Describe(typeof(T))}: {problem}.");
    }

    private List<(string Id, string File)> ListForLoad()
    {
        var partitions = FindPartitions();
        return partitions.Count > 0 ? partitions : throw new DatasetException($"No partitions found in '{FolderPath}'.");
    }

    private IDataset CreatePartition(string id)
    {
        var file = Path.Combine(FolderPath, id.Replace('/', Path.DirectorySeparatorChar)) + FilenameSuffix;
        try
        {
            return _createPartition(file) ?? throw new InvalidOperationException("the partition factory returned null");
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or DatasetException))
        {
            throw new DatasetException($"Failed to create the dataset of partition '{id}' of {Describe(this)}: {ex.Message}", ex);
        }
    }

    // The file-system calls, kept together for the coming file-system abstraction.
    private List<(string Id, string File)> FindPartitions()
    {
        if (!Directory.Exists(FolderPath))
        {
            return [];
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false };
        var found = new List<(string Relative, string File)>();
        foreach (var file in Directory.EnumerateFiles(FolderPath, "*", options))
        {
            var relative = Path.GetRelativePath(FolderPath, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.Length > FilenameSuffix.Length && relative.EndsWith(FilenameSuffix, StringComparison.Ordinal))
            {
                found.Add((relative, file));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        return found.ConvertAll(p => (p.Relative[..^FilenameSuffix.Length], p.File));
    }

    private void DeleteFolder()
    {
        if (Directory.Exists(FolderPath))
        {
            Directory.Delete(FolderPath, recursive: true);
        }
    }

    private List<(string Id, object? Value)> ReadPartitions(object? data)
    {
        if (data is not IEnumerable entries || data is string)
        {
            throw new DatasetException(
                $"{Describe(this)} saves a map of partition id → value or lazy producer, not {(data is null ? "null" : ValueConverter.Describe(data.GetType()))}.");
        }

        var partitions = new List<(string Id, object? Value)>();
        foreach (var entry in entries)
        {
            var (key, value) = entry switch
            {
                DictionaryEntry pair => (pair.Key, pair.Value),
                not null when entry.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>) =>
                    (type.GetProperty(nameof(KeyValuePair<,>.Key))!.GetValue(entry), type.GetProperty(nameof(KeyValuePair<,>.Value))!.GetValue(entry)),
                _ => throw new DatasetException(
                    $"{Describe(this)} saves a map of partition id → value or lazy producer, not {ValueConverter.Describe(data.GetType())}."),
            };

            if (key is not string id)
            {
                throw new DatasetException($"{Describe(this)} needs partition ids that are strings, not {(key is null ? "null" : ValueConverter.Describe(key.GetType()))}.");
            }

            ValidateId(id);
            partitions.Add((id, value));
        }

        partitions.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return partitions;
    }

    private void ValidateId(string id)
    {
        var segments = id.Split('/');
        if (id.Length == 0 || Path.IsPathRooted(id) || segments.Any(s => s.Length == 0 || s is "." or ".." || s.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0))
        {
            throw new DatasetException(
                $"Partition id '{id}' of {Describe(this)} is not a relative path inside the folder (names separated by '/', no empty, '.' or '..' parts).");
        }
    }

    private static async ValueTask<object?> ProduceAsync(object? value, CancellationToken cancellationToken)
    {
        if (value is not Delegate producer)
        {
            return value;
        }

        var invoke = producer.GetType().GetMethod("Invoke")!;
        var parameters = invoke.GetParameters();
        object?[] arguments = parameters switch
        {
            [] => [],
            [var only] when only.ParameterType == typeof(CancellationToken) => [cancellationToken],
            _ => throw new ArgumentException(
                $"a lazy partition is a Func<T> or Func<CancellationToken, T>, not {ValueConverter.Describe(producer.GetType())}"),
        };

        object? result;
        try
        {
            result = producer.DynamicInvoke(arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }

        var returnType = invoke.ReturnType;
        if (result is not null && returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            result = returnType.GetMethod(nameof(ValueTask<>.AsTask))!.Invoke(result, null);
            returnType = typeof(Task<>).MakeGenericType(returnType.GetGenericArguments());
        }

        if (result is Task task && returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            await task.ConfigureAwait(false);
            return returnType.GetProperty(nameof(Task<>.Result))!.GetValue(task);
        }

        return result is Task or ValueTask
            ? throw new ArgumentException("its lazy producer returns a task without a value")
            : result;
    }
}
