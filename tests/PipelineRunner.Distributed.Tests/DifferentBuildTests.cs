using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PipelineRunner.Distributed.Tests;

/// <summary>
/// Two real builds of one small app whose node body differs (same name, inputs, outputs, types and assembly version,
/// as after editing a lambda in a <c>dotnet new</c> app): a worker of one build must refuse the other build's node
/// instead of running its own, older code.
/// </summary>
public sealed class DifferentBuildTests : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    // {0} is the node body. The app is its own driver (`drive URL`) and its own worker (`worker --scheduler URL`).
    private const string ProgramTemplate = """
        using PipelineRunner.Catalog;
        using PipelineRunner.Distributed;
        using PipelineRunner.Distributed.Workers;
        using PipelineRunner.Pipelines;

        var pipeline = new Pipeline([Node.Create((long x) => {0}, "x", "y", name: "shift")]);
        if (args is ["drive", var scheduler])
        {
            await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = new Uri(scheduler) });
            var catalog = new DataCatalog();
            catalog.AddValues([new("x", 1L)]);
            try
            {
                var outputs = await runner.RunAsync(pipeline, catalog);
                Console.WriteLine($"y = {outputs["y"]}");
                return 0;
            }
            catch (Exception ex)
            {
                Console.WriteLine($"run failed: {ex.Message} | {ex.InnerException?.Message}");
                return 1;
            }
        }

        return await DistributedCommandLine.RunWorkerIfRequestedAsync(args, [pipeline], Console.Out) ?? 2;
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "pr-builds-" + Guid.NewGuid().ToString("N"));
    private readonly List<ChildProcess> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task WorkerOfAnotherBuild_RefusesTheNode_NamingTheNodeTheWorkerAndBothBuilds_WhileTheSameBuildRunsIt()
    {
        var (buildA, buildB) = await BuildTwiceAsync("x + 1", "x + 100");
        var mvidA = ShortMvid(buildA);
        var mvidB = ShortMvid(buildB);
        Assert.NotEqual(mvidA, mvidB);

        var scheduler = Start(ChildProcess.StartTool("scheduler"));
        var line = await scheduler.WaitForLineAsync("scheduler listening on ", RunTimeout);
        var address = line["scheduler listening on ".Length..];
        var worker = Start(ChildProcess.StartApp(buildA, null, "worker", "--scheduler", address, "--id", "build-a-worker"));
        await worker.WaitForLineAsync("worker ", RunTimeout);

        // The worker's own build runs the node.
        var sameBuild = Start(ChildProcess.StartApp(buildA, null, "drive", address));
        Assert.True(await sameBuild.WaitForExitAsync(RunTimeout) == 0, sameBuild.Output);
        Assert.Contains("y = 2", sameBuild.Output, StringComparison.Ordinal);

        // Another build, same app name and version 1.0.0: refused, not run with build A's body (which would give y = 2).
        var otherBuild = Start(ChildProcess.StartApp(buildB, null, "drive", address));
        Assert.True(await otherBuild.WaitForExitAsync(RunTimeout) == 1, otherBuild.Output);
        Assert.DoesNotContain("y = ", otherBuild.Output, StringComparison.Ordinal);
        Assert.Contains(
            $"Worker 'build-a-worker' refuses node 'shift': it runs a different build of the app than the driver (worker: BuildApp 1.0.0.0, MVID {mvidA}; driver: BuildApp 1.0.0.0, MVID {mvidB}). Run the same build of the app on the driver and the workers.",
            otherBuild.Output,
            StringComparison.Ordinal);
    }

    private ChildProcess Start(ChildProcess process)
    {
        _processes.Add(process);
        return process;
    }

    /// <summary>Builds the app with each body into its own output folder (one restore); returns the two app dlls.</summary>
    private async Task<(string A, string B)> BuildTwiceAsync(string bodyA, string bodyB)
    {
        var app = Path.Combine(_root, "app");
        Directory.CreateDirectory(app);
        var distributed = Path.Combine(RepositoryRoot(), "src", "PipelineRunner.Distributed", "PipelineRunner.Distributed.csproj");
        await File.WriteAllTextAsync(Path.Combine(app, "BuildApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <!-- Not -o: that would also move the referenced projects' outputs, which are built already. -->
                <OutDir>$(AppOutDir)/</OutDir>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{distributed}" />
              </ItemGroup>
            </Project>
            """);

        // The repository's projects are already built in the tests' configuration; the app only compiles itself.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        await DotnetAsync("restore", app);
        var outputs = new List<string>();
        foreach (var (body, name) in new[] { (bodyA, "a"), (bodyB, "b") })
        {
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ProgramTemplate.Replace("{0}", body, StringComparison.Ordinal));
            var output = Path.Combine(_root, name);
            await DotnetAsync("build", app, "--no-restore", "-c", configuration, $"-p:AppOutDir={output}", "-p:BuildProjectReferences=false", "-nodeReuse:false");
            outputs.Add(Path.Combine(output, "BuildApp.dll"));
        }

        return (outputs[0], outputs[1]);
    }

    private async Task DotnetAsync(params string[] args)
    {
        var process = Start(ChildProcess.StartExecutable("dotnet", args));
        var exit = await process.WaitForExitAsync(BuildTimeout);
        Assert.True(exit == 0, $"dotnet {string.Join(' ', args)} exited with {exit}:\n{process.Output}");
    }

    private static string ShortMvid(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var metadata = pe.GetMetadataReader();
        return metadata.GetGuid(metadata.GetModuleDefinition().Mvid).ToString("N", CultureInfo.InvariantCulture)[..8];
    }

    private static string RepositoryRoot()
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
