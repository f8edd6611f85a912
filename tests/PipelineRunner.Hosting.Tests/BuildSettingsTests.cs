using System.Text.Json;
using PipelineRunner.Distributed.Tests;

namespace PipelineRunner.Hosting.Tests;

/// <summary>
/// The repository's build settings (Directory.Build.props and friends) in a clone at a path that contains a folder
/// named <c>src</c>, as in <c>~/src/PipelineRunner</c>: only the projects under the repository's own <c>src/</c> are
/// packages that need XML docs.
/// </summary>
public sealed class BuildSettingsTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);
    private static readonly string[] BuildFiles = ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", ".editorconfig"];

    private readonly string _temp = Path.Combine(Path.GetTempPath(), "pr-layout-" + Guid.NewGuid().ToString("N"));

    private string Clone => Path.Combine(_temp, "src", "PipelineRunner");

    public void Dispose()
    {
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    [Fact]
    public async Task CloneUnderAFolderNamedSrc_BuildsATestProjectWithoutDocs_AndOnlyItsSrcProjectsArePackages()
    {
        foreach (var file in BuildFiles)
        {
            Write(file, File.ReadAllText(Path.Combine(RepositoryPaths.Root, file)));
        }

        const string Library = """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><RootNamespace>Layout</RootNamespace></PropertyGroup></Project>""";
        Write("tests/Foo/Foo.csproj", Library);
        Write("tests/Foo/Widget.cs", "namespace Layout;\n\npublic sealed class Widget\n{\n    public int Size => 1;\n}\n"); // no XML docs
        Write("src/Bar/Bar.csproj", Library);
        Write("src/Bar/Gadget.cs", "namespace Layout;\n\n/// <summary>A gadget.</summary>\npublic sealed class Gadget\n{\n}\n");

        // Built with warnings as errors: it would fail with CS1591 if it were taken for a package.
        var build = await DotnetAsync("build", Path.Combine(Clone, "tests", "Foo", "Foo.csproj"));
        Assert.Contains("0 Error(s)", build, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Clone, "tests", "Foo", "bin", "Debug", "net10.0", "Foo.dll")), build);
        Assert.Equal(("false", "false"), await PackageSettingsAsync("tests/Foo/Foo.csproj"));
        Assert.Equal(("true", "true"), await PackageSettingsAsync("src/Bar/Bar.csproj"));
    }

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(Clone, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>The project's IsPackable and GenerateDocumentationFile, as MSBuild evaluates them.</summary>
    private async Task<(string? IsPackable, string? Docs)> PackageSettingsAsync(string project)
    {
        var json = await DotnetAsync("msbuild", Path.Combine(Clone, project), "-getProperty:IsPackable", "-getProperty:GenerateDocumentationFile");
        var properties = JsonDocument.Parse(json).RootElement.GetProperty("Properties");
        return (properties.GetProperty("IsPackable").GetString(), properties.GetProperty("GenerateDocumentationFile").GetString());
    }

    private static async Task<string> DotnetAsync(params string[] args)
    {
        await using var process = ChildProcess.StartExecutable("dotnet", [.. args, "-nodeReuse:false"]);
        var exit = await process.WaitForExitAsync(CommandTimeout);
        Assert.True(exit == 0, $"dotnet {string.Join(' ', args)} exited with {exit}:\n{process.Output}");
        return process.Output;
    }
}
