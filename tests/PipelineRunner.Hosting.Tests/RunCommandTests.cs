using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Hosting.Tests;

public sealed record ExtraOptions(long Factor);

/// <summary>The <c>run</c> command in-process: configuration layering, filters, runners and errors.</summary>
[Collection(LiveLine.Collection)]
public sealed class RunCommandTests : IDisposable
{
    private readonly TestProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task Run_WithNoArguments_RunsTheDefaultPipelineWithConfBaseAndConfLocal()
    {
        var (code, output, error) = await _project.RunAsync([]);
        Assert.True(code == 0, error);
        Assert.Equal("24", _project.ReadTotal()); // 1 + 4 + 9 + offset 10 from conf/local
        Assert.Equal(["extra.scale", "make_numbers", "square", "total"], _project.Hook.Nodes);
        Assert.Equal(["SequentialRunner"], _project.Hook.Runners);
        Assert.Contains("Pipeline '__default__' completed: 4 node(s) ran, 0 skipped", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  Slowest: (\S+ \(\d+\.\d\d s\)(, )?){3}\.", output);
        Assert.True(output.Contains($"  Written under '{_project.Directory}': data/numbers.json, data/total.json.", StringComparison.Ordinal), output);
        Assert.Contains("free outputs: extra.scaled.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_SelectsTheEnvironmentFolder_AndParamsOverrideLast()
    {
        Assert.Equal(0, (await _project.RunAsync(["run", "--env", "prod"])).ExitCode);
        Assert.Equal("114", _project.ReadTotal());

        Assert.Equal(0, (await _project.RunAsync(["run", "--params", "count=4, offset=1"])).ExitCode);
        Assert.Equal("31", _project.ReadTotal());
    }

    [Fact]
    public async Task Params_ReachTheCatalogThroughRuntimeParams_AndGlobalsFillIt()
    {
        _project.Write("conf/base/globals.yml", "folder: data\n");
        _project.Write("conf/base/catalog.yml", """
            numbers:
              type: JsonDataset
              filepath: ${globals:folder}/numbers.json
            total:
              type: JsonDataset
              filepath: ${globals:folder}/${runtime_params:run_name, default}/total.json
            """);

        var (code, _, error) = await _project.RunAsync(["run", "--params", "run_name=first"]);
        Assert.True(code == 0, error);
        (code, _, error) = await _project.RunAsync(["run"]);
        Assert.True(code == 0, error);

        Assert.Equal("24", File.ReadAllText(Path.Combine(_project.Directory, "data", "first", "total.json")).Trim());
        Assert.Equal("24", File.ReadAllText(Path.Combine(_project.Directory, "data", "default", "total.json")).Trim());
    }

    [Fact]
    public async Task OcEnvOutsideCredentials_IsAOneLineConfigurationError()
    {
        _project.Write("conf/base/catalog.yml", "numbers:\n  type: JsonDataset\n  filepath: ${oc.env:HOME}/numbers.json\n");

        var (code, _, error) = await _project.RunAsync(["run"]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: Cannot resolve '${oc.env:HOME}' in '", error, StringComparison.Ordinal);
        Assert.Contains("at 'numbers.filepath': oc.env is only allowed in credentials", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("--nodes", "make_numbers", "make_numbers")]
    [InlineData("--from-nodes", "square", "square,total")]
    [InlineData("--to-nodes", "square", "make_numbers,square")]
    [InlineData("--tags", "report,calc", "square,total")]
    [InlineData("--from-inputs", "numbers", "extra.scale,square,total")]
    [InlineData("--to-outputs", "squares", "make_numbers,square")]
    [InlineData("--namespace", "extra", "extra.scale")]
    public async Task Filters_RunOnlyTheSelectedNodes(string option, string value, string expected)
    {
        Assert.Equal(0, (await _project.RunAsync(["run"])).ExitCode); // persists numbers.json for the filtered runs
        _project.Hook.Clear();

        var (code, _, error) = await _project.RunAsync(["run", option, value]);

        Assert.True(code == 0, error);
        Assert.Equal(expected.Split(','), _project.Hook.Nodes);
    }

    [Fact]
    public async Task Pipeline_SelectsARegisteredPipeline()
    {
        var (code, output, _) = await _project.RunAsync(["run", "--pipeline", "math", "--nodes", "make_numbers,square"]);
        Assert.Equal(0, code);
        Assert.Equal(["make_numbers", "square"], _project.Hook.Nodes);
        Assert.Contains("Pipeline 'math' completed: 2 node(s) ran, 0 skipped", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyMissing_SkipsNodesWhosePersistedOutputsExist()
    {
        Assert.Equal(0, (await _project.RunAsync(["run"])).ExitCode);
        File.Delete(Path.Combine(_project.Directory, "data", "total.json"));
        _project.Hook.Clear();

        var (code, _, error) = await _project.RunAsync(["run", "--only-missing"]);

        Assert.True(code == 0, error);
        Assert.DoesNotContain("make_numbers", _project.Hook.Nodes);
        Assert.Contains("total", _project.Hook.Nodes);
        Assert.Equal("24", _project.ReadTotal());
    }

    [Fact]
    public async Task Runner_ComesFromConfiguration_AndTheCommandLineWins()
    {
        Assert.Equal(0, (await _project.RunAsync(["run"], b => b.Configuration["PipelineRunner:Runner"] = "thread")).ExitCode);
        Assert.Equal(0, (await _project.RunAsync(["run", "--runner", "sequential"], b => b.Configuration["PipelineRunner:Runner"] = "thread")).ExitCode);
        Assert.Equal(["ThreadRunner", "SequentialRunner"], _project.Hook.Runners);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("worker")]
    public async Task InvalidSettings_AreCheckedOnceByTheOptionsValidator_AllReportedInOneLine(string command)
    {
        var (code, _, error) = await _project.RunAsync([command], b =>
        {
            b.Configuration["PipelineRunner:WorkerConcurrency"] = "0";
            b.Configuration["PipelineRunner:Workers"] = "0";
            b.Configuration["PipelineRunner:SchedulerAddress"] = "http://scheduler";
        });

        Assert.Equal(2, code);
        Assert.Equal(
            "error: Invalid scheduler address 'http://scheduler' (PipelineRunner:SchedulerAddress or --scheduler): it has no port (the scheduler prints its address, port included, when it starts). Expected http://HOST:PORT or https://HOST:PORT. "
            + "Workers (PipelineRunner:Workers or --workers) must be at least 1, got 0. Worker concurrency (PipelineRunner:WorkerConcurrency or --concurrency) must be at least 1, got 0.",
            error.Trim());
    }

    [Fact]
    public async Task TheAppsRegisteredRunner_IsTheDefault_AndConfigurationStillWins()
    {
        Assert.Equal(0, (await _project.RunAsync(["run"], b => b.Pipelines.UseThreadRunner())).ExitCode);
        Assert.Equal(0, (await _project.RunAsync(["run", "--runner", "sequential"], b => b.Pipelines.UseThreadRunner())).ExitCode);
        Assert.Equal(0, (await _project.RunAsync(["run"], b => b.Services.AddTransient<AbstractRunner>(_ => new RecordingRunner()))).ExitCode);
        Assert.Equal(["ThreadRunner", "SequentialRunner", nameof(RecordingRunner)], _project.Hook.Runners);
    }

    [Fact]
    public async Task TheAppsRegisteredRunnerOptions_ReachTheRunnerTheCommandLineNames()
    {
        // A failure policy registered in the app's services holds for the runner the command line names: the node after
        // the failed one (in the sequential order, by name) still runs.
        var pipeline = new Pipeline([
            Node.Create((long count) => count > 0 ? throw new InvalidOperationException("boom") : count, "params:count", "never", name: "fails"),
            Node.Create((long offset) => offset, "params:offset", "kept", name: "independent"),
        ]);
        var (code, _, error) = await _project.RunAsync(
            ["run", "--pipeline", "math", "--runner", "sequential"],
            b => b.Services.AddSingleton(new ThreadRunnerOptions { FailurePolicy = NodeFailurePolicy.ContinueIndependentNodes }),
            pipeline);

        Assert.Equal(1, code);
        Assert.Contains("boom", error, StringComparison.Ordinal);
        Assert.Contains("independent", _project.Hook.Nodes);
    }

    private sealed class RecordingRunner : AbstractRunner
    {
        public RecordingRunner()
            : base(new RunnerOptions(), null)
        {
        }

        protected override Task ExecuteAsync(PipelineRun run, CancellationToken cancellationToken) =>
            new SequentialRunner().RunAsync(run.Pipeline, run.Catalog, cancellationToken: cancellationToken);
    }

    [Fact]
    public async Task Async_ReachesTheRunner()
    {
        Assert.Equal(0, (await _project.RunAsync(["run", "--async"])).ExitCode);
        Assert.All(_project.Hook.AsyncFlags, Assert.True);
        Assert.Equal(4, _project.Hook.AsyncFlags.Count);
    }

    [Fact]
    public async Task Distributed_WithAnInProcessPoolOfTwoWorkers_GivesTheSameResult()
    {
        var (code, _, error) = await _project.RunAsync(["run", "--runner", "distributed", "--workers", "2"]);
        Assert.True(code == 0, error);
        Assert.Equal("24", _project.ReadTotal());
        Assert.Equal(["DistributedRunner"], _project.Hook.Runners);
    }

    [Fact]
    public async Task Dashboard_ServesTheInProcessPoolsDashboard_AndLogsWhere()
    {
        var log = new LineLoggerProvider();
        var (code, _, error) = await _project.RunAsync(["run", "--runner", "distributed", "--workers", "1", "--dashboard"], b => b.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(log));

        Assert.True(code == 0, error);
        Assert.Equal("24", _project.ReadTotal());
        Assert.Single(log.Lines, l => l.StartsWith("Dashboard of the local pool at http://127.0.0.1:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("run --dashboard", "--dashboard (PipelineRunner:Dashboard) shows the distributed runner's in-process pool, but this run uses the sequential runner. Add --runner distributed, or remove it.")]
    [InlineData("run --runner distributed --scheduler http://127.0.0.1:9 --dashboard", "--dashboard (PipelineRunner:Dashboard) shows the in-process pool's dashboard; the scheduler at --scheduler serves its own (its --dashboard-port). Remove --dashboard.")]
    public async Task Dashboard_WithoutAnInProcessPool_IsOneLine(string args, string message)
    {
        var (code, _, error) = await _project.RunAsync(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains($"error: {message}", error, StringComparison.Ordinal);
    }

    /// <summary>Keeps each log message's text.</summary>
    private sealed class LineLoggerProvider : Microsoft.Extensions.Logging.ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }

    [Fact]
    public async Task Thread_WithWorkers_Runs()
    {
        var (code, _, error) = await _project.RunAsync(["run", "-r", "thread", "-w", "3"]);
        Assert.True(code == 0, error);
        Assert.Equal("24", _project.ReadTotal());
    }

    [Theory]
    [InlineData("run --runner fast", "Argument 'fast' not recognized. Must be one of:")]
    [InlineData("run --workers 0", "--workers must be a whole number of at least 1, got 0.")]
    [InlineData("run --workers lots", "Cannot parse argument 'lots' for option '--workers'")]
    [InlineData("run --scheduler ftp://host:1", "Invalid scheduler address 'ftp://host:1' (--scheduler): its scheme is 'ftp', not http or https. Expected http://HOST:PORT or https://HOST:PORT.")]
    [InlineData("run --bogus", "Unrecognized command or argument '--bogus'.")]
    [InlineData("rnu", "Unrecognized command or argument 'rnu'.")]
    [InlineData("list everything", "Argument 'everything' not recognized. Must be one of:")]
    [InlineData("run --pipeline nope", "Failed to find the pipeline named 'nope'. It needs to be registered; registered pipelines: [__default__, math].")]
    [InlineData("run --nodes nope", "Pipeline does not contain nodes named [nope].")]
    [InlineData("run --tags nothing", "Pipeline contains no nodes after applying all provided filters.")]
    [InlineData("run --pipeline mth", "Failed to find the pipeline named 'mth'. It needs to be registered; registered pipelines: [__default__, math]. Did you mean: [math]?")]
    [InlineData("run --nodes squre", "Pipeline does not contain nodes named [squre]. Did you mean: [square]?")]
    [InlineData("run --to-nodes extra.scal", "Pipeline does not contain nodes named [extra.scal]. Did you mean: [extra.scale]?")]
    [InlineData("run --from-inputs numbrs", "Pipeline does not contain datasets named [numbrs]. Did you mean: [numbers]?")]
    [InlineData("run --namespace extr", "Pipeline does not contain nodes with the following namespaces: [extr]. Did you mean: [extra]?")]
    [InlineData("run --tags reprot", "No node has the tag(s) [reprot]. Did you mean: [report]?")]
    [InlineData("run --params cout=4", "Unknown runtime parameter(s) [cout] (--params): no parameters file configures them, no node of the pipeline reads them and no ${runtime_params:...} in the configuration reads them. Did you mean: [count]?")]
    [InlineData("run --params extra.factr=4,ofset=1", "Unknown runtime parameter(s) [extra.factr, ofset] (--params): no parameters file configures them, no node of the pipeline reads them and no ${runtime_params:...} in the configuration reads them. Did you mean: [extra.factor, extra, offset]?")]
    [InlineData("run --params count=2.5", "error: --params count=2.5 does not suit node 'make_numbers', which reads params:count as Int64: 2.5 is not a whole number, so it does not convert to Int64.")]
    [InlineData("run --params offset=abc", "error: --params offset=abc does not suit node 'total', which reads params:offset as Int64: converting String to Int64 failed: The input string 'abc' was not in a correct format.")]
    [InlineData("run --params count", "Invalid parameter 'count': expected key=value")]
    [InlineData("run --env staging", "Configuration environment 'staging' does not exist")]
    [InlineData("run --runner distributed --wait-for-workers 5", "--wait-for-workers (PipelineRunner:WaitForWorkers) applies to a remote scheduler's workers; the run starts its own in-process pool.")]
    [InlineData("run --runner distributed --scheduler http://127.0.0.1:9 --wait-for-workers 0", "--wait-for-workers (PipelineRunner:WaitForWorkers) must be a positive number of seconds, got 0.")]
    [InlineData("run --runner thread --scheduler http://127.0.0.1:1", "A scheduler address (http://127.0.0.1:1/) needs the distributed runner, but the runner is 'thread'.")]
    [InlineData("run --workers 2", "--workers does not apply to the sequential runner")]
    [InlineData("run --runner distributed --workers 2 --scheduler http://127.0.0.1:1", "--workers sizes the in-process pool, but the run uses the remote scheduler http://127.0.0.1:1/")]
    [InlineData("worker", "worker needs a scheduler: --scheduler http://HOST:PORT")]
    [InlineData("worker --scheduler http://127.0.0.1:1 --concurrency 0", "--concurrency must be a whole number of at least 1, got 0.")]
    [InlineData("run --nodes ,", "--nodes was given without any name (','); give at least one, or leave the option out.")]
    [InlineData("run --env ../elsewhere", "Configuration environment '../elsewhere' is not a folder name")]
    [InlineData("worker --scheduler http://127.0.0.1", "Invalid scheduler address 'http://127.0.0.1' (--scheduler): it has no port")]
    [InlineData("run --runner thread --scheduler http://127.0.0.1:80", "needs the distributed runner, but the runner is 'thread'")]
    [InlineData("worker --scheduler http://127.0.0.1:5/run?x=1", "Invalid scheduler address 'http://127.0.0.1:5/run?x=1' (--scheduler): it has a path, query or fragment.")]
    public async Task BadArguments_ExitWith2_SayingWhatIsWrong(string commandLine, string expected)
    {
        var (code, _, error) = await _project.RunAsync(commandLine.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Null(_project.ReadTotal());
        Assert.Empty(_project.Hook.Runners);
    }

    [Fact]
    public async Task Params_KeysANodeOfTheRunReads_AreAccepted_OthersAreRefused()
    {
        var pipeline = new Pipeline([
            Node.Create((long count) => Enumerable.Range(1, (int)count).Select(i => (long)i).ToArray(), "params:count", "numbers", name: "make_numbers"),
            Node.Create((long[] numbers, long threshold) => numbers.Count(n => n > threshold), new[] { "numbers", "params:threshold" }, "above", name: "count_above"),
        ]);

        // threshold is in no parameters file, but count_above reads it.
        var (code, output, error) = await _project.RunAsync(["run", "--pipeline", "math", "--params", "threshold=1"], pipeline: pipeline);
        Assert.True(code == 0, error);
        Assert.Contains("free outputs: above.", output, StringComparison.Ordinal);

        // Without count_above in the run, nothing reads it.
        _project.Hook.Clear();
        (code, _, error) = await _project.RunAsync(["run", "--pipeline", "math", "--nodes", "make_numbers", "--params", "threshold=1"], pipeline: pipeline);
        Assert.Equal(2, code);
        Assert.Equal(
            "error: Unknown runtime parameter(s) [threshold] (--params): no parameters file configures them, no node of the pipeline reads them and no ${runtime_params:...} in the configuration reads them.",
            error.Trim());
        Assert.Empty(_project.Hook.Runners);
    }

    [Fact]
    public async Task Params_ChildrenOfAMappingANodeReadsWhole_AreAcceptedAndConvertedWithIt()
    {
        var pipeline = new Pipeline([
            Node.Create((ExtraOptions extra) => extra.Factor * 10, "params:extra", "scaled", name: "scale"),
            Node.Create((IReadOnlyDictionary<string, object?> all) => all.Count, "parameters", "count_all", name: "count_all"),
        ]);

        var (code, output, error) = await _project.RunAsync(["run", "--pipeline", "math", "--params", "extra.factor=3,extra.bonus=1"], pipeline: pipeline);
        Assert.True(code == 0, error);
        Assert.Contains("free outputs: count_all, scaled.", output, StringComparison.Ordinal);

        (code, _, error) = await _project.RunAsync(["run", "--pipeline", "math", "--params", "extra.factor=2.5"], pipeline: pipeline);
        Assert.Equal(2, code);
        Assert.StartsWith(
            "error: --params extra.factor=2.5 does not suit node 'scale', which reads params:extra as ExtraOptions: converting Dictionary<String, Object> to ExtraOptions failed at 'Factor': ",
            error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));

        // A node reading all parameters reads any key.
        (code, _, error) = await _project.RunAsync(["run", "--pipeline", "math", "--params", "anything=1"], pipeline: pipeline);
        Assert.True(code == 0, error);
    }

    [Fact]
    public async Task BadConfiguration_ExitsWith2_NamingTheKey()
    {
        var (code, _, error) = await _project.RunAsync(["run"], b => b.Configuration["PipelineRunner:Runner"] = "fast");
        Assert.Equal(2, code);
        Assert.Contains("Unknown runner 'fast' (PipelineRunner:Runner or --runner). Accepted: sequential, thread, distributed.", error, StringComparison.Ordinal);

        (code, _, error) = await _project.RunAsync(["run"], b => b.Configuration["PipelineRunner:Workers"] = "many");
        Assert.Equal(2, code);
        Assert.Contains("PipelineRunner:Workers", error, StringComparison.Ordinal);

        // A misspelled key is an error, not silently ignored.
        (code, _, error) = await _project.RunAsync(["run"], b => b.Configuration["PipelineRunner:Runer"] = "thread");
        Assert.Equal(2, code);
        Assert.Contains("'Runer'", error, StringComparison.Ordinal);

        (code, _, error) = await _project.RunAsync(["run"], b => b.Configuration["PipelineRunner:Progress"] = "bogus");
        Assert.Equal(2, code);
        Assert.Contains("PipelineRunner:Progress", error, StringComparison.Ordinal);

        foreach (var (address, problem) in new[] { ("ftp://127.0.0.1:1", "its scheme is 'ftp', not http or https"), ("foo", "it is not an absolute URL") })
        {
            (code, _, error) = await _project.RunAsync(["worker"], b => b.Configuration["PipelineRunner:SchedulerAddress"] = address);
            Assert.Equal(2, code);
            Assert.Contains($"Invalid scheduler address '{address}' (PipelineRunner:SchedulerAddress or --scheduler): {problem}.", error, StringComparison.Ordinal);
        }

        (code, _, error) = await _project.RunAsync(["run"], b => b.Configuration["PipelineRunner:ProjectDirectory"] = Path.Combine(_project.Directory, "missing"));
        Assert.Equal(2, code);
        Assert.Contains($"The project folder '{Path.Combine(_project.Directory, "missing")}' (PipelineRunner:ProjectDirectory) does not exist.", error, StringComparison.Ordinal);
        Assert.Null(_project.ReadTotal());
    }

    [Fact]
    public async Task AnEnvironment_WithoutAConfFolder_IsAnError()
    {
        Directory.Delete(Path.Combine(_project.Directory, "conf"), recursive: true);
        var (code, _, error) = await _project.RunAsync(["run", "--env", "prod"]);
        Assert.Equal(2, code);
        Assert.Contains($"Configuration environment 'prod' was asked for, but there is no configuration folder 'conf' in '{_project.Directory}'.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatasetInCodeAndInConfiguration_IsAnError()
    {
        var (code, _, error) = await _project.RunAsync(["run"], b => b.Pipelines.AddCatalog(_ =>
        {
            var catalog = new Catalog.DataCatalog();
            catalog.Add("total", new Catalog.MemoryDataset());
            return catalog;
        }));
        Assert.Equal(2, code);
        Assert.Contains("Dataset 'total' is defined both in code (AddCatalog) and in the configuration", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailingNode_ExitsWith1_NamingTheNode()
    {
        var failing = new Pipeline([Node.Create((long count) => count > 0 ? throw new InvalidOperationException("no luck") : count, "params:count", "x", name: "unlucky")]);
        var (code, _, error) = await _project.RunAsync(["run", "--pipeline", "math"], pipeline: failing);
        Assert.Equal(1, code);
        Assert.Contains("Pipeline 'math' failed:", error, StringComparison.Ordinal);
        Assert.Contains("unlucky", error, StringComparison.Ordinal);
        Assert.Contains("no luck", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveProgress_DrawsAStatusLineOnTheErrorStream()
    {
        var (code, _, error) = await _project.RunAsync(["run"], b => b.Configuration["PipelineRunner:Progress"] = "Live");
        Assert.Equal(0, code);
        Assert.Contains("\r\u001b[2K[####################] 4/4 nodes 00:00:0", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppWithoutConfFolder_UsesTheCatalogRegisteredInCode()
    {
        Directory.Delete(Path.Combine(_project.Directory, "conf"), recursive: true);
        var (code, output, error) = await _project.RunAsync(["run", "--params", "count=2,offset=5,extra.factor=3", "--pipeline", "math"]);
        Assert.True(code == 0, error);
        Assert.True(output.Contains("free outputs: extra.scaled, total.", StringComparison.Ordinal), output + error);
    }

    [Fact]
    public async Task HostedServicesTheAppRegisters_RunForTheCommandsDuration()
    {
        var service = new RecordingService();
        var (code, _, _) = await _project.RunAsync(["run"], b => b.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(service));
        Assert.Equal(0, code);
        Assert.Equal(["start", "stop"], service.Calls);
    }

    private sealed class RecordingService : Microsoft.Extensions.Hosting.IHostedService
    {
        public List<string> Calls { get; } = [];

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Calls.Add("start");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Calls.Add("stop");
            return Task.CompletedTask;
        }
    }
}
