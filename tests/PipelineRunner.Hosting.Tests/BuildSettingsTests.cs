using System.IO.Compression;
using System.Text.Json;
using PipelineRunner.Distributed.Tests;

namespace PipelineRunner.Hosting.Tests;

/// <summary>
/// The repository's build settings (Directory.Build.props and friends) in a clone at a path that contains a folder
/// named <c>src</c>, as in <c>~/src/PipelineRunner</c>: only the projects under the repository's own <c>src/</c> are
/// packages that need XML docs and a public API baseline.
/// </summary>
public sealed class BuildSettingsTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);
    private const string Library = """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><RootNamespace>Layout</RootNamespace></PropertyGroup></Project>""";
    // A developer's machine: the tests may themselves run in CI, whose CI=true gives packs their exact version.
    private static readonly string[] NotCi = ["-p:CI=false", "-p:ContinuousIntegrationBuild=false"];
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
        CopyBuildFiles();
        Write("tests/Foo/Foo.csproj", Library);
        Write("tests/Foo/Widget.cs", "namespace Layout;\n\npublic sealed class Widget\n{\n    public int Size => 1;\n}\n"); // no XML docs
        WritePackage("Bar");

        // Built with warnings as errors: it would fail with CS1591 if it were taken for a package.
        var build = await DotnetAsync("build", Path.Combine(Clone, "tests", "Foo", "Foo.csproj"));
        Assert.Contains("0 Error(s)", build, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Clone, "tests", "Foo", "bin", "Debug", "net10.0", "Foo.dll")), build);
        Assert.Equal(("false", "false"), await PackageSettingsAsync("tests/Foo/Foo.csproj"));
        Assert.Equal(("true", "true"), await PackageSettingsAsync("src/Bar/Bar.csproj"));
    }

    [Fact]
    public async Task LocalPack_IsVersionedByItsNewestInput_AndAGivenVersionIsExact()
    {
        CopyBuildFiles();
        Write("README.md", "# packed readme\n");
        Write("protos/contract.proto", "syntax = \"proto3\";\n");
        WritePackage("Bar");
        Write("src/Bar/obj/generated.cs", "// build output: not an input\n");
        var prefix = (await DotnetAsync("msbuild", Path.Combine(Clone, "src", "Bar", "Bar.csproj"), "-getProperty:VersionPrefix")).Trim();
        Assert.Matches(@"^\d+\.\d+\.\d+$", prefix);

        foreach (var file in Directory.EnumerateFiles(Clone, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        File.SetLastWriteTimeUtc(Path.Combine(Clone, "src", "Bar", "obj", "generated.cs"), new DateTime(2031, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(Path.Combine(Clone, "src", "Bar", "BarType.cs"), new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Assert.Equal($"{prefix}-dev.20300102030405", await PackageVersionAsync("src/Bar/Bar.csproj"));

        // Any later change of an input gives a new version; a release gives its own, exactly.
        File.SetLastWriteTimeUtc(Path.Combine(Clone, "protos", "contract.proto"), new DateTime(2030, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        Assert.Equal($"{prefix}-dev.20300203040506", await PackageVersionAsync("src/Bar/Bar.csproj"));
        Assert.Equal("1.2.3", await PackageVersionAsync("src/Bar/Bar.csproj", "-p:Version=1.2.3"));
        Assert.Equal(prefix, await PackageVersionAsync("src/Bar/Bar.csproj", "-p:VersionSuffix="));
        Assert.Equal($"{prefix}-rc.1", await PackageVersionAsync("src/Bar/Bar.csproj", "-p:VersionSuffix=rc.1"));
        Assert.Equal(prefix, await PackageVersionAsync("src/Bar/Bar.csproj", "-p:ContinuousIntegrationBuild=true"));
    }

    [Fact]
    public async Task LocalPacks_OfTwoPackages_DependOnEachOthersPackedVersion()
    {
        CopyBuildFiles();
        WritePackage("Bar");
        WritePackage("Baz", reference: "Bar");
        var feed = Path.Combine(_temp, "feed");

        await DotnetAsync(["pack", Path.Combine(Clone, "src", "Baz", "Baz.csproj"), "-o", feed, .. NotCi]);
        await DotnetAsync(["pack", Path.Combine(Clone, "src", "Bar", "Bar.csproj"), "--no-build", "-o", feed, .. NotCi]);

        var version = await PackageVersionAsync("src/Bar/Bar.csproj");
        Assert.Matches(@"^\d+\.\d+\.\d+-dev\.\d{14}$", version);
        Assert.True(File.Exists(Path.Combine(feed, $"Bar.{version}.nupkg")), string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName)));
        using var baz = ZipFile.OpenRead(Path.Combine(feed, $"Baz.{version}.nupkg"));
        using var nuspec = new StreamReader(baz.GetEntry("Baz.nuspec")!.Open());
        Assert.Contains($"<dependency id=\"Bar\" version=\"{version}\"", await nuspec.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APackage_FailsToBuild_WhenItsPublicApiDiffersFromItsBaseline_OrItHasNone()
    {
        CopyBuildFiles();
        WritePackage("Bar");
        Write("src/Bar/BarType.cs", "namespace Layout;\n\n/// <summary>A type of Bar.</summary>\npublic sealed class BarType\n{\n    /// <summary>New.</summary>\n    public int Size => 1;\n}\n");

        var build = await DotnetFailingAsync("build", Path.Combine(Clone, "src", "Bar", "Bar.csproj"));
        Assert.Contains("error RS0016: Symbol 'Layout.BarType.Size.get -> int' is not part of the declared public API", build, StringComparison.Ordinal);

        File.Delete(Path.Combine(Clone, "src", "Bar", "PublicAPI.Unshipped.txt"));
        build = await DotnetFailingAsync("build", Path.Combine(Clone, "src", "Bar", "Bar.csproj"));
        Assert.Contains("Bar has no public API baseline", build, StringComparison.Ordinal);
    }

    private void CopyBuildFiles()
    {
        foreach (var file in BuildFiles)
        {
            Write(file, File.ReadAllText(Path.Combine(RepositoryPaths.Root, file)));
        }
    }

    /// <summary>A documented library under src/ (a package) with its public API baseline, optionally referencing another.</summary>
    private void WritePackage(string name, string? reference = null)
    {
        var item = reference is null ? "" : $"""<ItemGroup><ProjectReference Include="../{reference}/{reference}.csproj" /></ItemGroup>""";
        Write($"src/{name}/{name}.csproj", $"""<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><RootNamespace>Layout</RootNamespace></PropertyGroup>{item}</Project>""");
        Write($"src/{name}/{name}Type.cs", $"namespace Layout;\n\n/// <summary>A type of {name}.</summary>\npublic sealed class {name}Type\n{{\n}}\n");
        Write($"src/{name}/PublicAPI.Shipped.txt", $"#nullable enable\nLayout.{name}Type\nLayout.{name}Type.{name}Type() -> void\n");
        Write($"src/{name}/PublicAPI.Unshipped.txt", "#nullable enable\n");
    }

    /// <summary>The version a pack of the project gives it (NuGet's own answer, as packages referencing it see it).</summary>
    private async Task<string?> PackageVersionAsync(string project, params string[] properties)
    {
        var json = await DotnetAsync(["msbuild", Path.Combine(Clone, project), "-t:_GetProjectVersion", "-getTargetResult:_GetProjectVersion", .. NotCi, .. properties]);
        var result = JsonDocument.Parse(json).RootElement.GetProperty("TargetResults").GetProperty("_GetProjectVersion");
        return result.GetProperty("Items")[0].GetProperty("ProjectVersion").GetString();
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

    private static async Task<string> DotnetFailingAsync(params string[] args)
    {
        await using var process = ChildProcess.StartExecutable("dotnet", [.. args, "-nodeReuse:false"]);
        var exit = await process.WaitForExitAsync(CommandTimeout);
        Assert.True(exit != 0, $"dotnet {string.Join(' ', args)} exited with {exit}:\n{process.Output}");
        return process.Output;
    }

    private static async Task<string> DotnetAsync(params string[] args)
    {
        await using var process = ChildProcess.StartExecutable("dotnet", [.. args, "-nodeReuse:false"]);
        var exit = await process.WaitForExitAsync(CommandTimeout);
        Assert.True(exit == 0, $"dotnet {string.Join(' ', args)} exited with {exit}:\n{process.Output}");
        return process.Output;
    }
}
