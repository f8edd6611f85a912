using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Catalog.Files;

/// <summary>
/// Base class for a dataset stored in one file: derived classes only turn a stream into data
/// (<see cref="ReadAsync"/>) and data into a stream (<see cref="WriteAsync"/>).
/// </summary>
/// <remarks>
/// <para>
/// Saves are atomic: the data is written to a temporary file in the target's directory, which then replaces the
/// target, so a failed or cancelled save leaves the previous file as it was and no temporary file behind. Missing
/// parent directories are created.
/// </para>
/// <para>
/// With a <see cref="DatasetVersion"/> the dataset is versioned as in Kedro: each save writes
/// <c>&lt;filepath&gt;/&lt;version&gt;/&lt;filename&gt;</c>, where the version is
/// <see cref="DatasetVersion.SaveVersion"/> or a new UTC timestamp from the <see cref="System.TimeProvider"/>, and never
/// overwrites an existing version. Loads read <see cref="DatasetVersion.LoadVersion"/>, or the latest version: the
/// greatest version directory (by ordinal comparison) that contains the file. Saving a version that exists throws
/// <see cref="DatasetVersionExistsException"/>; a save whose version is not the one a load would then read (a pinned
/// load version, or an older save version) logs Kedro's warning that save and load versions do not match.
/// </para>
/// </remarks>
public abstract class FileDataset : IDataset
{
    private const int BufferSize = 81920;
    private readonly FileWriteMode _writeMode;

    private ILogger _logger = NullLogger.Instance;

    /// <summary>Creates the dataset.</summary>
    /// <param name="filePath">The file; for a versioned dataset, the directory holding the versions, named like the file.</param>
    /// <param name="version">The versions to load and save; <see langword="null"/> for an unversioned dataset.</param>
    /// <param name="timeProvider">The clock that names new versions; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The path is empty or ends with a directory separator, or a version is not a valid directory name.</exception>
    protected FileDataset(string filePath, DatasetVersion? version = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (Path.GetFileName(filePath).Length == 0)
        {
            throw new ArgumentException($"The file path '{filePath}' of a {GetType().Name} must name a file, not a directory.", nameof(filePath));
        }

        DatasetVersion.Validate(version?.LoadVersion, "load");
        DatasetVersion.Validate(version?.SaveVersion, "save");
        FilePath = filePath;
        Version = version;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// What a save does to an existing file; <see cref="FileWriteMode.Overwrite"/> unless a derived dataset that
    /// supports appending sets it in its constructor (after the base constructor, so the version is known).
    /// </summary>
    /// <exception cref="ArgumentException">Set to an unknown mode, or to <see cref="FileWriteMode.Append"/> on a versioned dataset.</exception>
    public FileWriteMode WriteMode
    {
        get => _writeMode;
        protected init
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentException($"Unknown write mode {value} for {GetType().Name} '{FilePath}'.", nameof(value));
            }

            if (value == FileWriteMode.Append && Version is not null)
            {
                throw new ArgumentException(
                    $"{GetType().Name} '{FilePath}' cannot both append and be versioned: each versioned save writes a new file.", nameof(value));
            }

            _writeMode = value;
        }
    }

    /// <summary>The file path as given; for a versioned dataset, the directory that holds the versions.</summary>
    public string FilePath { get; }

    /// <summary>The versions to load and save; <see langword="null"/> when the dataset is not versioned.</summary>
    public DatasetVersion? Version { get; }

    /// <summary>Whether the dataset is versioned.</summary>
    public bool IsVersioned => Version is not null;

    /// <summary>The clock that names new versions.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Where the versioning warning goes (save and load versions that do not match); none by default. Datasets built
    /// from catalog configuration log through <see cref="Configuration.CatalogLoadOptions.LoggerFactory"/>.
    /// </summary>
    public ILogger Logger
    {
        get => _logger;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _logger = value;
        }
    }

    /// <summary>Always <see langword="false"/>: the data outlives the process.</summary>
    public bool IsEphemeral => false;

    /// <summary>The path of <paramref name="version"/>: <c>&lt;filepath&gt;/&lt;version&gt;/&lt;filename&gt;</c>.</summary>
    /// <param name="version">A version.</param>
    /// <returns>The path of the file of that version.</returns>
    /// <exception cref="ArgumentException">The version is not a valid directory name.</exception>
    public string GetVersionedPath(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        DatasetVersion.Validate(version, "requested");
        return Path.Combine(FilePath, version, Path.GetFileName(FilePath));
    }

    /// <summary>
    /// The version a load reads: <see cref="DatasetVersion.LoadVersion"/> when pinned, otherwise the latest saved version.
    /// </summary>
    /// <returns>The version, or <see langword="null"/> when the dataset is not versioned.</returns>
    /// <exception cref="DatasetException">The dataset is versioned, no version is pinned and none exists.</exception>
    public string? ResolveLoadVersion()
    {
        if (Version is null)
        {
            return null;
        }

        return Version.LoadVersion ?? FindLatestVersion()
            ?? throw new DatasetException($"Did not find any versions for {GetType().Name} at '{FilePath}'.");
    }

    /// <inheritdoc />
    public async ValueTask<object?> LoadAsync(Type requestedType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestedType);
        cancellationToken.ThrowIfCancellationRequested();
        var version = ResolveLoadVersion();
        var path = version is null ? FilePath : GetVersionedPath(version);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"File not found: '{path}'.", path);
        }

        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                return await ReadAsync(stream, requestedType, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DatasetException(
                $"Failed to load {GetType().Name} from '{path}' as {TypeNames.Describe(requestedType)}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(object? data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (WriteMode == FileWriteMode.Append)
        {
            await AppendAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }

        var path = FilePath;
        var saveVersion = Version is null ? null : Version.SaveVersion ?? DatasetVersion.CreateTimestamp(TimeProvider);
        if (saveVersion is not null)
        {
            path = GetVersionedPath(saveVersion);
            if (File.Exists(path) || Directory.Exists(path))
            {
                throw VersionExists(saveVersion, path, null);
            }
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var createdDirectory = !Directory.Exists(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await WriteAsync(stream, data, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, path, overwrite: Version is null);
        }
        catch (Exception ex)
        {
            TryDelete(temporary);
            if (createdDirectory && Version is not null)
            {
                TryDeleteEmptyDirectory(directory);
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            if (saveVersion is not null && ex is IOException && File.Exists(path))
            {
                throw VersionExists(saveVersion, path, ex); // another writer saved the same version meanwhile
            }

            throw new DatasetException($"Failed to save {GetType().Name} to '{path}': {ex.Message}", ex);
        }

        if (saveVersion is not null)
        {
            // As Kedro's versioned save: warn when a load would not read what was just saved.
            var loadVersion = Version!.LoadVersion ?? FindLatestVersion();
            if (!string.Equals(loadVersion, saveVersion, StringComparison.Ordinal))
            {
                FileDatasetLog.VersionMismatch(_logger, saveVersion, loadVersion ?? "None", ToString());
            }
        }
    }

    /// <summary>Uses <paramref name="loggerFactory"/> unless a logger was given.</summary>
    internal void UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        if (ReferenceEquals(_logger, NullLogger.Instance))
        {
            _logger = loggerFactory.CreateLogger(GetType());
        }
    }

    private DatasetVersionExistsException VersionExists(string version, string path, Exception? cause) =>
        new($"Save path '{path}' for {GetType().Name}(filepath={FilePath}) must not exist if versioning is enabled: version '{version}' was already saved.", version, path, cause);

    /// <summary>
    /// Appends to the file in place (<see cref="FileWriteMode.Append"/>): <see cref="WriteAsync"/> gets the file
    /// positioned at its end (at 0 for a new or empty file, so a derived dataset writes its header only then), and a
    /// failed or cancelled append is cut back to the previous length, so a chunk is written whole or not at all.
    /// </summary>
    private async ValueTask AppendAsync(object? data, CancellationToken cancellationToken)
    {
        var path = FilePath;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                var previousLength = stream.Seek(0, SeekOrigin.End);
                try
                {
                    await WriteAsync(stream, data, cancellationToken).ConfigureAwait(false);
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                    stream.Flush(flushToDisk: true);
                }
                catch
                {
                    TryTruncate(stream, previousLength);
                    throw;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DatasetException($"Failed to append {GetType().Name} to '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Whether the file (of the version a load would read) exists.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether a load would find a file.</returns>
    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Version is null)
        {
            return ValueTask.FromResult(File.Exists(FilePath));
        }

        var version = Version.LoadVersion ?? FindLatestVersion();
        return ValueTask.FromResult(version is not null && File.Exists(GetVersionedPath(version)));
    }

    /// <summary>Does nothing: file datasets hold no data in memory.</summary>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>A completed task.</returns>
    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => default;

    /// <summary>The type, the file path, the version (<see langword="null"/> when unversioned) and the options of derived classes.</summary>
    /// <returns>Key/value pairs describing the dataset.</returns>
    public IReadOnlyDictionary<string, object?> Describe()
    {
        var description = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = GetType().Name,
            ["filepath"] = FilePath,
            ["version"] = Version,
        };
        if (WriteMode == FileWriteMode.Append)
        {
            description["mode"] = "a"; // Kedro's save_args.mode
        }

        AddDescription(description);
        return description;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{GetType().Name}({string.Join(", ", Describe().Select(p => $"{p.Key}={p.Value}"))})";

    /// <summary>Reads the data from the file.</summary>
    /// <param name="stream">The file, open for reading.</param>
    /// <param name="requestedType">The type the consumer wants (<see cref="object"/> when it does not matter).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The data.</returns>
    protected abstract ValueTask<object?> ReadAsync(Stream stream, Type requestedType, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the data to a new temporary file that replaces the target when this completes or, in
    /// <see cref="FileWriteMode.Append"/> mode, to the end of the file (the stream's position is the file's length).
    /// </summary>
    /// <param name="stream">The temporary file, or the appended file, open for writing; leave it open. An appended
    /// file is also readable and seekable, so a format can check what the file already holds (a CSV header); it must
    /// leave the position at the end before writing.</param>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the data is written.</returns>
    protected abstract ValueTask WriteAsync(Stream stream, object? data, CancellationToken cancellationToken);

    /// <summary>Adds the options of a derived class to <see cref="Describe"/>; adds nothing unless overridden.</summary>
    /// <param name="description">The description to add to.</param>
    protected virtual void AddDescription(IDictionary<string, object?> description)
    {
    }

    private string? FindLatestVersion()
    {
        if (!Directory.Exists(FilePath))
        {
            return null;
        }

        var fileName = Path.GetFileName(FilePath);
        return Directory.EnumerateDirectories(FilePath)
            .Where(directory => File.Exists(Path.Combine(directory, fileName)))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .LastOrDefault();
    }

    private static void TryTruncate(FileStream stream, long length)
    {
        try
        {
            stream.SetLength(length);
        }
        catch (IOException)
        {
            // The append already failed; keep its error rather than this one (the file may keep a partial chunk).
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The save already failed; a leftover temporary file is not worth hiding that error for.
        }
    }

    private static void TryDeleteEmptyDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // As above: keep the original error.
        }
    }
}
