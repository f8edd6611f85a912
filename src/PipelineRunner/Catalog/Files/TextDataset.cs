using System.Text;
using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Catalog.Files;

/// <summary>A text file read and written as one UTF-8 <see cref="string"/> (Kedro's <c>text.TextDataset</c>).</summary>
public sealed class TextDataset : FileDataset
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Creates the dataset.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="version">The versions to load and save; <see langword="null"/> for an unversioned dataset.</param>
    /// <param name="timeProvider">The clock that names new versions.</param>
    public TextDataset(string filePath, DatasetVersion? version = null, TimeProvider? timeProvider = null)
        : base(filePath, version, timeProvider)
    {
    }

    /// <summary>Creates a dataset whose saves replace or append to the file, as <paramref name="writeMode"/> says (unversioned).</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="writeMode">What a save does to an existing file: <see cref="FileWriteMode.Append"/> adds each
    /// saved string to the end, so a generator node's chunks all end up in the file, one after the other.</param>
    /// <exception cref="ArgumentException">The mode is unknown.</exception>
    public TextDataset(string filePath, FileWriteMode writeMode)
        : base(filePath)
    {
        WriteMode = writeMode;
    }

    /// <inheritdoc />
    protected override async ValueTask<object?> ReadAsync(Stream stream, Type requestedType, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Utf8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask WriteAsync(Stream stream, object? data, CancellationToken cancellationToken)
    {
        if (data is not string text)
        {
            throw new ArgumentException(
                $"{nameof(TextDataset)} saves a string, not {(data is null ? "null" : TypeNames.Describe(data.GetType()))}.", nameof(data));
        }

        await stream.WriteAsync(Utf8.GetBytes(text), cancellationToken).ConfigureAwait(false);
    }
}
