using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using PipelineRunner.Distributed.Tests;

namespace PipelineRunner.Hosting.Tests;

/// <summary>
/// The packed library as a user meets it: packs the packages into a local folder feed, builds a separate app that
/// references them by version (not by project), and runs its pipeline locally and distributed.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly string[] Packages = ["PipelineRunner", "PipelineRunner.Datasets", "PipelineRunner.Distributed", "PipelineRunner.OpenTelemetry", "PipelineRunner.Hosting", "PipelineRunner.Tool"];
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    // A version of its own, so the global package cache never serves an older build.
    private readonly string _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pr-consumer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Packages)
        {
            var cached = Path.Combine(cache, package.ToLowerInvariant(), _version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }

    [Fact]
    public async Task PackedPackages_BuildAUsersApp_ThatRunsLocallyAndDistributed()
    {
        var feed = Path.Combine(_root, "feed");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        foreach (var package in Packages)
        {
            var project = Path.Combine(RepositoryPaths.Root, "src", package, package + ".csproj");
            await DotnetAsync(RepositoryPaths.Root, "pack", project, "--no-build", "-c", configuration, "-o", feed, $"-p:PackageVersion={_version}");
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{_version}.nupkg")), package);
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{_version}.snupkg")), package + " symbols");
        }

        using (var hosting = ZipFile.OpenRead(Path.Combine(feed, $"PipelineRunner.Hosting.{_version}.nupkg")))
        {
            var entries = hosting.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("README.md", entries);
            Assert.Contains("lib/net10.0/PipelineRunner.Hosting.dll", entries);
            Assert.Contains("lib/net10.0/PipelineRunner.Hosting.xml", entries);
            using var nuspec = new StreamReader(hosting.GetEntry("PipelineRunner.Hosting.nuspec")!.Open());
            var metadata = await nuspec.ReadToEndAsync();
            Assert.Contains("<license type=\"expression\">MIT</license>", metadata, StringComparison.Ordinal);
            Assert.Contains($"<dependency id=\"PipelineRunner.Distributed\" version=\"{_version}\"", metadata, StringComparison.Ordinal);
            Assert.Matches("<repository type=\"git\" url=\"[^\"]+\"[^>]* commit=\"[0-9a-f]{40}\"", metadata);
        }

        // The app, outside the repository so none of its build settings apply.
        var app = Path.Combine(_root, "app");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "PackageConsumer"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(app, Path.GetRelativePath(Path.Combine(AppContext.BaseDirectory, "PackageConsumer"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="pipelinerunner-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await DotnetAsync(app, "build", "-c", "Release", $"-p:PipelineRunnerVersion={_version}");
        var dll = Path.Combine(app, "bin", "Release", "net10.0", "PackageConsumer.dll");
        // Run from the app's folder, which holds conf/: that folder is the project, as with `kedro run`.
        var total = Path.Combine(app, "data", "total.json");

        var local = await DotnetAsync(app, dll, "run", "--runner", "thread");
        Assert.Contains("Pipeline '__default__' completed: 3 node(s) ran, 0 skipped", local, StringComparison.Ordinal);
        Assert.Equal("338350", (await File.ReadAllTextAsync(total)).Trim());

        File.Delete(total);
        var distributed = await DotnetAsync(app, dll, "run", "--runner", "distributed", "--workers", "2");
        Assert.Contains("Completed 3 out of 3 tasks", distributed, StringComparison.Ordinal);
        Assert.Equal("338350", (await File.ReadAllTextAsync(total)).Trim());

        // The scheduler tool installs from the feed as a dotnet tool and starts.
        var tools = Path.Combine(_root, "tools");
        await DotnetAsync(app, "tool", "install", "PipelineRunner.Tool", "--tool-path", tools, "--version", _version, "--add-source", feed);
        var scheduler = ChildProcess.StartExecutable(Path.Combine(tools, "pipeline-runner"), "scheduler", "--port", "0");
        await using (scheduler)
        {
            var line = await scheduler.WaitForLineAsync("scheduler listening on http://127.0.0.1:", TimeSpan.FromSeconds(60));
            Assert.Matches(@"^scheduler listening on http://127\.0\.0\.1:\d+/?$", line);
        }
    }

    /// <summary>Runs dotnet with <paramref name="args"/>; returns its output, or fails with it when the exit code is not 0.</summary>
    private static async Task<string> DotnetAsync(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish within {CommandTimeout}:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
            return output.ToString();
        }
    }
}
