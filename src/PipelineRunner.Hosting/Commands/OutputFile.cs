namespace PipelineRunner.Hosting.Commands;

/// <summary>A file a command writes (<c>run --report</c>, <c>viz -o</c>): created with its folders, replacing an old one.</summary>
internal static class OutputFile
{
    /// <summary>Creates <paramref name="file"/> (relative to the current directory) and the folders it needs.</summary>
    /// <param name="file">The path as the user gave it.</param>
    /// <param name="path">The full path, for the message saying where the file went.</param>
    /// <returns>The file, open for asynchronous writing.</returns>
    public static FileStream Create(string file, out string path)
    {
        path = Path.GetFullPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 4096, useAsync: true);
    }
}
