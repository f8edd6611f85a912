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
