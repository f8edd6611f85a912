using PipelineRunner.Distributed.Tests;

namespace PipelineRunner.Hosting.Tests;

/// <summary>
/// The Spaceflights sample as real OS processes on 127.0.0.1: the README's first command (no arguments: the distributed
/// runner's in-process pool), and the three-terminal set-up (the pipeline-runner tool as scheduler, two sample workers,
/// a sample driver).
/// </summary>
public sealed class SampleProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(180);
    private static readonly string[] Namespaces = ["active_modelling_pipeline", "candidate_modelling_pipeline"];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pr-sample-" + Guid.NewGuid().ToString("N"));
    private readonly List<ChildProcess> _processes = [];

    private static string SampleDirectory => RepositoryPaths.OutputOf(Path.Combine("samples", "Spaceflights"));

    private static string Sample => Path.Combine(SampleDirectory, "Spaceflights.dll");

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

    /// <summary>A fresh project folder with the sample's configuration and raw data.</summary>
    private string NewProject(string name)
    {
        var project = Path.Combine(_root, name);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SampleDirectory, "conf"), "*", SearchOption.AllDirectories)
                     .Concat(Directory.EnumerateFiles(Path.Combine(SampleDirectory, "data", "01_raw"))))
        {
            var target = Path.Combine(project, Path.GetRelativePath(SampleDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return project;
    }

    private ChildProcess Start(string? project, params string[] args)
    {
        // The project folder reaches the app as an environment variable: .NET configuration's second layer.
        var environment = project is null ? null : new Dictionary<string, string> { ["PipelineRunner__ProjectDirectory"] = project };
        var process = ChildProcess.StartApp(Sample, environment, args);
        _processes.Add(process);
        return process;
    }

    private static string[] Metrics(string project) =>
        Namespaces.Select(ns => File.ReadAllText(Path.Combine(project, "data", "08_reporting", ns, "metrics.json"))).ToArray();

    [Fact]
    public async Task NoArguments_RunsEverythingOnTheDistributedInProcessPool()
    {
        var project = NewProject("default");

        var run = Start(project);
        var exit = await run.WaitForExitAsync(RunTimeout);

        Assert.True(exit == 0, run.Output);
        Assert.Contains($"Project folder '{project}'; configuration '{Path.Combine(project, "conf")}', environment 'local'", run.Output, StringComparison.Ordinal);
        Assert.Contains("Running pipeline '__default__' (9 nodes) with the DistributedRunner runner", run.Output, StringComparison.Ordinal);
        Assert.Contains("Completed 9 out of 9 tasks", run.Output, StringComparison.Ordinal);
        Assert.Contains("active_modelling_pipeline: R2=0.9", run.Output, StringComparison.Ordinal);
        Assert.Single(run.Output.Split('\n'), line => line.Contains("completed", StringComparison.OrdinalIgnoreCase) && !line.Contains("Completed node", StringComparison.Ordinal) && !line.Contains(" out of ", StringComparison.Ordinal));
        Assert.Contains("Pipeline '__default__' completed: 9 node(s) ran, 0 skipped, in ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Worker 'local-", run.Output, StringComparison.Ordinal); // the pool's plumbing is Debug
        Assert.All(Metrics(project), m => Assert.Contains("\"R2\"", m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SchedulerAndTwoWorkersAndDriver_AsSeparateProcesses_EqualTheSequentialRun()
    {
        var scheduler = ChildProcess.StartTool("scheduler", "--host", "127.0.0.1");
        _processes.Add(scheduler);
        var address = (await scheduler.WaitForLineAsync("scheduler listening on ", StartTimeout))["scheduler listening on ".Length..];

        // Workers run from the sample's own folder: they open files from the definitions the driver sends, so the
        // metrics land in the driver's project folder (Metrics() below reads them there).
        var workers = new[] { Start(null, "worker", "--scheduler", address, "--id", "w1"), Start(null, "worker", "--scheduler", address, "--id", "w2") };
        foreach (var worker in workers)
        {
            await worker.WaitForLineAsync("worker ", StartTimeout);
        }

        var distributedProject = NewProject("distributed");
        var driver = Start(distributedProject, "run", "--scheduler", address);
        var sequentialProject = NewProject("sequential");
        var sequential = Start(sequentialProject, "run", "--runner", "sequential");

        Assert.True(await driver.WaitForExitAsync(RunTimeout) == 0, driver.Output);
        Assert.True(await sequential.WaitForExitAsync(RunTimeout) == 0, sequential.Output);
        Assert.Contains("with the DistributedRunner runner", driver.Output, StringComparison.Ordinal);
        Assert.Contains("Completed 9 out of 9 tasks", driver.Output, StringComparison.Ordinal);
        Assert.Equal(Metrics(sequentialProject), Metrics(distributedProject));
        Assert.Contains("Worker 'w1' connected", scheduler.Output, StringComparison.Ordinal);
        Assert.Contains("Worker 'w2' connected", scheduler.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunInAProjectFolder_UsesItsConfiguration_AndSaysWhereItReadsAndWrites()
    {
        // `dotnet run` starts the app in its build output; the project is where the command runs, as with `kedro run`.
        var project = NewProject("here");
        var run = ChildProcess.StartAppIn(project, Sample, "run", "--runner", "sequential");
        _processes.Add(run);

        Assert.True(await run.WaitForExitAsync(RunTimeout) == 0, run.Output);
        Assert.Contains($"Project folder '{project}'; configuration '{Path.Combine(project, "conf")}', environment 'local'", run.Output, StringComparison.Ordinal);
        Assert.All(Metrics(project), m => Assert.Contains("\"R2\"", m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AConfSourceThatDoesNotExist_ExitsTwo_NamingTheFolder()
    {
        var project = NewProject("elsewhere");
        var run = ChildProcess.StartAppIn(project, Sample, "run", "--conf-source", "settings");
        _processes.Add(run);

        Assert.Equal(2, await run.WaitForExitAsync(RunTimeout));
        Assert.Equal($"error: The configuration folder '{Path.Combine(project, "settings")}' (--conf-source, PipelineRunner:ConfigurationSource) does not exist.", run.Output);
    }

    [Fact]
    public async Task AConfSource_IsReadRelativeToTheCurrentDirectory()
    {
        var project = NewProject("moved");
        Directory.Move(Path.Combine(project, "conf"), Path.Combine(project, "settings"));
        var run = ChildProcess.StartAppIn(project, Sample, "run", "--runner", "sequential", "--conf-source", "settings");
        _processes.Add(run);

        Assert.True(await run.WaitForExitAsync(RunTimeout) == 0, run.Output);
        Assert.Contains($"Project folder '{project}'; configuration '{Path.Combine(project, "settings")}', environment 'local'", run.Output, StringComparison.Ordinal);
        Assert.All(Metrics(project), m => Assert.Contains("\"R2\"", m, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task AWorker_StopsOnASignal_WithinSeconds_ExitingZero(string signal)
    {
        var scheduler = ChildProcess.StartTool("scheduler");
        _processes.Add(scheduler);
        var address = (await scheduler.WaitForLineAsync("scheduler listening on ", StartTimeout))["scheduler listening on ".Length..];
        var worker = ChildProcess.StartAppAsFromATerminal(Sample, null, "worker", "--scheduler", address, "--id", "w1");
        _processes.Add(worker);
        await scheduler.WaitForLineContainingAsync("info: PipelineRunner.Distributed.Scheduling.SchedulerState[101] Worker 'w1' connected", StartTimeout);

        worker.Signal(signal);

        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain("Exception", worker.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("run", "--help")]
    [InlineData("worker", "--help")]
    public async Task HelpAndVersion_ExitZero(params string[] args)
    {
        var app = Start(null, args);

        Assert.Equal(0, await app.WaitForExitAsync(StartTimeout));
        Assert.DoesNotContain("Exception", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAppItself_ServesAsTheScheduler_WithTheSameCommandTree()
    {
        var scheduler = ChildProcess.StartAppAsFromATerminal(Sample, null, "scheduler", "--port", "0", "--no-dashboard");
        _processes.Add(scheduler);
        var address = (await scheduler.WaitForLineAsync("scheduler listening on ", StartTimeout))["scheduler listening on ".Length..];
        var worker = Start(null, "worker", "--scheduler", address, "--id", "w1");
        await scheduler.WaitForLineContainingAsync("Worker 'w1' connected", StartTimeout);
        var project = NewProject("app-scheduler");

        var driver = Start(project, "run", "--scheduler", address);

        Assert.True(await driver.WaitForExitAsync(RunTimeout) == 0, driver.Output);
        Assert.All(Metrics(project), m => Assert.Contains("\"R2\"", m, StringComparison.Ordinal));
        scheduler.Signal("TERM");
        Assert.Equal(0, await scheduler.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Matches(@"Run \w+ succeeded after [0-9.]+ s: 9 node\(s\) completed, 0 failed", scheduler.Output);
        Assert.DoesNotContain("dashboard at", scheduler.Output, StringComparison.Ordinal); // --no-dashboard, a flag of the app's command tree
    }
}
