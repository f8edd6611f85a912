namespace PipelineRunner.Hosting.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding PipelineRunner.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build output folder of a project, in the configuration the tests were built in (bin/Debug/net10.0).</summary>
    public static string OutputOf(string projectFolder) =>
        Path.Combine(Root, projectFolder, Path.GetRelativePath(Path.Combine(Root, "tests", "PipelineRunner.Hosting.Tests"), AppContext.BaseDirectory));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PipelineRunner.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"PipelineRunner.sln not found above {AppContext.BaseDirectory}.");
    }
}
