using System.CommandLine;
using System.CommandLine.Parsing;
using PipelineRunner.DependencyInjection;

namespace PipelineRunner.Hosting.Commands;

/// <summary>
/// The app's commands and options (System.CommandLine): <c>run</c>, <c>worker</c>, <c>list</c>, <c>viz</c> and <c>scheduler</c>. Options that are
/// settings (runner, scheduler, workers, env, async, concurrency) also become configuration keys of the
/// <c>PipelineRunner</c> section, so the command line is the last configuration layer.
/// </summary>
internal sealed class CommandLineSchema
{
    internal static readonly string[] Runners = ["sequential", "thread", "distributed"];
    internal static readonly string[] ListTopics = ["all", "pipelines", "nodes", "datasets"];
    private const string Section = PipelineRunnerHostOptions.SectionName;

    private readonly RootCommand _root = new("A PipelineRunner project: run its pipelines, serve as a worker, list what it has, draw a pipeline, or run a scheduler.");
    private CommandContext? _context;

    public CommandLineSchema()
    {
        Run = new Command("run", "Run a pipeline (the default command).");
        Run.Options.Add(RunPipeline);
        Run.Options.Add(RunRunner);
        Run.Options.Add(RunScheduler);
        Run.Options.Add(Workers);
        Run.Options.Add(WaitForWorkers);
        foreach (var option in new[] { Tags, Nodes, FromNodes, ToNodes, FromInputs, ToOutputs, Namespace })
        {
            Run.Options.Add(option);
        }

        Run.Options.Add(Params);
        Run.Options.Add(Async);
        Run.Options.Add(OnlyMissing);
        Run.Options.Add(RunReport);
        Run.Options.Add(RunDashboard);
        Run.Options.Add(RunEnv);
        Run.Options.Add(RunConfSource);
        Run.SetAction((result, ct) => Started(() => new RunCommand(Context).ExecuteAsync(result, this, ct)));

        Worker = new Command("worker", "Serve a scheduler as a worker: run the nodes it assigns from this app's pipelines.");
        Worker.Options.Add(WorkerScheduler);
        Worker.Options.Add(Concurrency);
        Worker.Options.Add(WorkerId);
        Worker.Options.Add(PingDelay);
        Worker.Options.Add(PingTimeout);
        Worker.Options.Add(GiveUpAfter);
        Worker.SetAction((result, ct) => Started(() => new WorkerCommand(Context).ExecuteAsync(result, this, ct)));

        List = new Command("list", "List the registered pipelines, a pipeline's nodes and its datasets.");
        List.Arguments.Add(ListTopic);
        List.Options.Add(ListPipeline);
        List.Options.Add(ListEnv);
        List.Options.Add(ListConfSource);
        List.SetAction((result, ct) => Started(() => new ListCommand(Context).ExecuteAsync(result, this, ct)));

        Viz = new Command("viz", "Export a pipeline's graph: Mermaid (the default, to standard output), Graphviz DOT, JSON or a standalone HTML page.");
        Viz.Options.Add(VizPipeline);
        Viz.Options.Add(VizFormat);
        Viz.Options.Add(VizOutput);
        Viz.SetAction((result, ct) => Started(() => new VizCommand(Context).ExecuteAsync(result, this, ct)));

        Scheduler = new Command("scheduler", "Run a standalone scheduler with its dataset store (needs no pipelines): drivers and workers connect to the address it prints.");
        foreach (var (name, description, flag) in PipelineRunner.Distributed.Scheduling.SchedulerCommandLine.SchedulerOptionDescriptions)
        {
            Option option = flag ? new Option<bool>(name) { Description = description } : new Option<string>(name) { Description = description };
            SchedulerOptions[name] = option;
            Scheduler.Options.Add(option);
        }

        Scheduler.SetAction((result, ct) => Started(() => new SchedulerCommand(Context).ExecuteAsync(result, this, ct)));

        _root.Subcommands.Add(Run);
        _root.Subcommands.Add(Worker);
        _root.Subcommands.Add(List);
        _root.Subcommands.Add(Viz);
        _root.Subcommands.Add(Scheduler);

        Status = new Command("status", "Show a scheduler's workers, runs in progress and store use (needs no pipelines).");
        Status.Options.Add(StatusScheduler);
        Status.Options.Add(StatusJson);
        Status.SetAction((result, ct) => Started(() => new StatusCommand(Context).ExecuteAsync(result, this, ct)));
        _root.Subcommands.Add(Status);

        RunRunner.AcceptOnlyFromAmong(Runners);
        ListTopic.AcceptOnlyFromAmong(ListTopics);
        VizFormat.Validators.Add(r => RequireOneOf(r, VizFormat, VizCommand.Formats));
        VizFormat.CompletionSources.Add(VizCommand.Formats);
        Workers.Validators.Add(r => RequireAtLeastOne(r, Workers));
        Concurrency.Validators.Add(r => RequireAtLeastOne(r, Concurrency));
        PingDelay.Validators.Add(r => RequireSeconds(r, PingDelay, 1));
        PingTimeout.Validators.Add(r => RequireSeconds(r, PingTimeout, 1));
        GiveUpAfter.Validators.Add(r => RequireSeconds(r, GiveUpAfter, 0));
    }

    public Command Run { get; }

    public Command Worker { get; }

    public Command List { get; }

    public Command Viz { get; }

    public Command Scheduler { get; }

    public Command Status { get; }

    public Option<Uri?> StatusScheduler { get; } = SchedulerOption("The scheduler to ask (default from configuration PipelineRunner:SchedulerAddress).");

    public Option<bool> StatusJson { get; } = new("--json") { Description = "Print the status as JSON." };

    /// <summary>The scheduler command's options by name (<c>--port</c>).</summary>
    public Dictionary<string, Option> SchedulerOptions { get; } = new(StringComparer.Ordinal);

    public Option<string> RunPipeline { get; } = PipelineOption();

    public Option<string> RunRunner { get; } = new("--runner", "-r") { Description = "The runner: sequential, thread or distributed (default from configuration PipelineRunner:Runner, else sequential)." };

    public Option<Uri?> RunScheduler { get; } = SchedulerOption("The distributed runner's scheduler; without it, the runner starts an in-process scheduler and worker pool.");

    public Option<int> Workers { get; } = new("--workers", "-w") { Description = "Worker processes of the in-process pool (distributed) or threads (thread runner); the processor count by default." };

    public Option<double> WaitForWorkers { get; } = new("--wait-for-workers") { Description = "Seconds a run on a remote scheduler waits while no worker is connected before it fails (default: as long as it takes, warning every 10 s)." };

    public Option<string[]> Tags { get; } = ListOption("--tags", "-t", "Run only nodes with any of these tags (comma-separated or repeated).");

    public Option<string[]> Nodes { get; } = ListOption("--nodes", "-n", "Run only these nodes.");

    public Option<string[]> FromNodes { get; } = ListOption("--from-nodes", null, "Run from these nodes downstream.");

    public Option<string[]> ToNodes { get; } = ListOption("--to-nodes", null, "Run up to these nodes.");

    public Option<string[]> FromInputs { get; } = ListOption("--from-inputs", null, "Run from the nodes reading these datasets downstream.");

    public Option<string[]> ToOutputs { get; } = ListOption("--to-outputs", null, "Run up to the nodes writing these datasets.");

    public Option<string[]> Namespace { get; } = ListOption("--namespace", "-ns", "Run only nodes in these namespaces.");

    public Option<string> Params { get; } = new("--params") { Description = "Runtime parameters overriding the configured ones: key=value,other.sub=value." };

    public Option<bool> Async { get; } = new("--async") { Description = "Load and save each node's datasets concurrently." };

    public Option<bool> OnlyMissing { get; } = new("--only-missing") { Description = "Run only the nodes whose persisted outputs are missing, and what they need." };

    public Option<bool> RunDashboard { get; } = new("--dashboard")
    {
        Description = "Serve the live dashboard of the in-process pool (--runner distributed without --scheduler) at http://127.0.0.1:8787, or a free port when that is taken; the URL is logged.",
    };

    public Option<string> RunReport { get; } = new("--report")
    {
        Description = "Write a performance report of the run to this file (folders are created): standalone HTML, or JSON for a .json file; also when the run fails.",
        HelpName = "FILE",
    };

    public Option<string> RunEnv { get; } = EnvOption();

    public Option<string> RunConfSource { get; } = ConfSourceOption();

    public Option<Uri?> WorkerScheduler { get; } = SchedulerOption("The scheduler to serve (default from configuration PipelineRunner:SchedulerAddress).");

    public Option<int> Concurrency { get; } = new("--concurrency", "-c") { Description = "Nodes this worker runs at once (default 1)." };

    public Option<string> WorkerId { get; } = new("--id") { Description = "The worker's name in the scheduler's logs (default host-pid-random)." };

    public Option<double?> PingDelay { get; } = new("--ping-delay") { Description = "Seconds of silence from the scheduler before the worker pings it (default 5; at least 1)." };

    public Option<double?> PingTimeout { get; } = new("--ping-timeout") { Description = "Seconds a ping may go unanswered before the connection counts as lost (default 10; at least 1). A silent scheduler is noticed within delay + timeout." };

    public Option<double?> GiveUpAfter { get; } = new("--give-up-after") { Description = "Seconds to keep trying to reach a lost or absent scheduler before exiting with code 1 (default: retry forever)." };

    public Argument<string> ListTopic { get; } = new("what")
    {
        Description = "What to list: all (the default), pipelines, nodes or datasets.",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => "all",
    };

    public Option<string> ListPipeline { get; } = PipelineOption();

    public Option<string> ListEnv { get; } = EnvOption();

    public Option<string> ListConfSource { get; } = ConfSourceOption();

    public Option<string> VizPipeline { get; } = PipelineOption();

    public Option<string> VizFormat { get; } = new("--format", "-f")
    {
        Description = "The format: mermaid, dot, json or html (default: from the output file's extension, else mermaid).",
    };

    public Option<string> VizOutput { get; } = new("--output", "-o")
    {
        Description = "Write the graph to this file (folders are created) instead of standard output.",
    };

    private CommandContext Context => _context ?? throw new InvalidOperationException("The command line was invoked without a context.");

    /// <summary>Whether the app was started without arguments (then <c>run</c>, or the help of an app with no pipelines).</summary>
    public bool NoArguments { get; private set; }

    /// <summary>The help, as <c>--help</c> gives it.</summary>
    public ParseResult Help() => _root.Parse(["--help"]);

    /// <summary>Parses the arguments; with no command (or only options), <c>run</c> is the command.</summary>
    public ParseResult Parse(IReadOnlyList<string> args)
    {
        NoArguments = args.Count == 0;
        var first = args.Count > 0 ? args[0] : null;
        var implicitRun = first is null || (first.StartsWith('-') && first is not ("-h" or "-?" or "--help" or "--version"));
        return _root.Parse(implicitRun ? ["run", .. args] : args);
    }

    /// <summary>The settings given on the command line, as configuration keys.</summary>
    public Dictionary<string, string?> ToConfiguration(ParseResult result)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (result.Errors.Count > 0)
        {
            return values;
        }

        Add(result, RunRunner, nameof(PipelineRunnerHostOptions.Runner), v => v);
        Add(result, RunScheduler, nameof(PipelineRunnerHostOptions.SchedulerAddress), v => v?.OriginalString); // as typed: ToString drops a default port
        Add(result, WorkerScheduler, nameof(PipelineRunnerHostOptions.SchedulerAddress), v => v?.OriginalString);
        Add(result, StatusScheduler, nameof(PipelineRunnerHostOptions.SchedulerAddress), v => v?.OriginalString);
        Add(result, Workers, nameof(PipelineRunnerHostOptions.Workers), v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(result, WaitForWorkers, nameof(PipelineRunnerHostOptions.WaitForWorkers), v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(result, Concurrency, nameof(PipelineRunnerHostOptions.WorkerConcurrency), v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(result, RunEnv, nameof(PipelineRunnerHostOptions.Environment), v => v);
        Add(result, ListEnv, nameof(PipelineRunnerHostOptions.Environment), v => v);
        Add(result, RunConfSource, nameof(PipelineRunnerHostOptions.ConfigurationSource), Path.GetFullPath); // as Kedro: relative to where the command runs
        Add(result, ListConfSource, nameof(PipelineRunnerHostOptions.ConfigurationSource), Path.GetFullPath);
        Add(result, Async, nameof(PipelineRunnerHostOptions.Async), v => v ? "true" : "false");
        Add(result, RunDashboard, nameof(PipelineRunnerHostOptions.Dashboard), v => v ? "true" : "false");
        return values;

        void Add<T>(ParseResult parsed, Option<T> option, string key, Func<T, string?> format)
        {
            if (parsed.GetResult(option) is { Implicit: false })
            {
                values[$"{Section}:{key}"] = format(parsed.GetValue(option)!);
            }
        }
    }

    /// <summary>Runs the parsed command; parse errors print what is wrong and what is accepted, and exit with 2.</summary>
    public async Task<int> InvokeAsync(ParseResult result, CommandContext context, CancellationToken cancellationToken)
    {
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            var command = result.CommandResult.Command;
            var name = command == _root ? string.Empty : $" {command.Name}";
            await context.Error.WriteLineAsync($"Run '{_root.Name}{name} --help' for the accepted commands and options.").ConfigureAwait(false);
            return 2;
        }

        _context = context;
        var invocation = new InvocationConfiguration
        {
            Output = context.Output,
            Error = context.Error,
            // Longer than a worker's drain (WorkerOptions.DrainTimeout, 30 s): SIGTERM lets running nodes finish.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(40),
            // Errors of the project (pipelines that fail to build, bad configuration) are reported below, not as stacks.
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await result.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsProjectError(ex))
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Anything else a command did not expect: one line, not the runtime's crash report.
            await context.Error.WriteLineAsync($"error: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// Whether <paramref name="ex"/> is an error in the project rather than in the library: a pipeline that fails to
    /// build, invalid configuration or options. Commands report these as one line and exit code 2.
    /// </summary>
    public static bool IsProjectError(Exception ex) =>
        ex is PipelineRunner.Pipelines.PipelineException or PipelineRunner.Catalog.Configuration.CatalogConfigurationException
            or Microsoft.Extensions.Options.OptionsValidationException;

    /// <summary>
    /// Runs a command's action after yielding once, so System.CommandLine holds the action's task at once: a SIGTERM
    /// or Ctrl+C that arrives while the command is still starting (a local pool spinning up) then cancels the command
    /// and waits for it, instead of ending the process with the forced exit code.
    /// </summary>
    private static async Task<int> Started(Func<Task<int>> action)
    {
        await Task.Yield();
        return await action().ConfigureAwait(false);
    }

    /// <summary>A comma-separated or repeated list option's values.</summary>
    public static IReadOnlyList<string>? Values(ParseResult result, Option<string[]> option)
    {
        var values = result.GetValue(option);
        if (values is null || values.Length == 0)
        {
            return null;
        }

        var names = values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        return names.Count > 0
            ? names
            : throw new ArgumentException($"{option.Name} was given without any name ('{string.Join(" ", values)}'); give at least one, or leave the option out.");
    }

    private static void RequireAtLeastOne(OptionResult result, Option<int> option)
    {
        // Values that are not numbers already fail to parse; this adds the range rule.
        if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out var value) && value < 1)
        {
            result.AddError($"{option.Name} must be a whole number of at least 1, got {value}.");
        }
    }

    private static void RequireOneOf(OptionResult result, Option<string> option, string[] accepted)
    {
        if (result.Tokens.Count == 1 && !accepted.Contains(result.Tokens[0].Value, StringComparer.OrdinalIgnoreCase))
        {
            result.AddError($"Unknown {option.Name} '{result.Tokens[0].Value}'. Accepted: {string.Join(", ", accepted)}.");
        }
    }

    private static void RequireSeconds(OptionResult result, Option<double?> option, double minimum)
    {
        // Values that are not numbers already fail to parse; this adds the range rule (more than 0, or at least 1).
        if (result.Tokens.Count == 1
            && double.TryParse(result.Tokens[0].Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && (minimum > 0 ? value < minimum : value <= 0))
        {
            result.AddError(minimum > 0
                ? $"{option.Name} must be a number of seconds of at least {minimum}, got {result.Tokens[0].Value}."
                : $"{option.Name} must be a positive number of seconds, got {result.Tokens[0].Value}.");
        }
    }

    private static Option<string> PipelineOption() => new("--pipeline", "-p")
    {
        Description = "The registered pipeline (default __default__, all pipelines).",
        DefaultValueFactory = _ => PipelineRegistry.DefaultName,
    };

    private static Option<string> EnvOption() => new("--env", "-e")
    {
        Description = "The configuration environment: conf/ENV overrides conf/base (default local).",
    };

    private static Option<string> ConfSourceOption() => new("--conf-source")
    {
        Description = "The configuration folder, relative to the current directory (default: conf in the project folder).",
    };

    private static Option<string[]> ListOption(string name, string? alias, string description)
    {
        var option = alias is null ? new Option<string[]>(name) : new Option<string[]>(name, alias);
        option.Description = description;
        return option;
    }

    private static Option<Uri?> SchedulerOption(string description) => new("--scheduler", "-s")
    {
        Description = description,
        CustomParser = result =>
        {
            try
            {
                return Distributed.Protocol.SchedulerAddressRule.Parse(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, "--scheduler");
            }
            catch (ArgumentException ex)
            {
                result.AddError(ex.Message);
                return null;
            }
        },
    };
}
