using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PipelineRunner.Hosting.Commands;
using PipelineRunner.Hosting.Progress;

namespace PipelineRunner.Hosting;

/// <summary>
/// Configures a <see cref="PipelineRunnerApp"/>: its services (pipelines, catalog, hooks), configuration and logging,
/// with .NET's defaults (<c>appsettings.json</c>, <c>appsettings.{DOTNET_ENVIRONMENT}.json</c>, environment variables,
/// console logging) and the command line on top.
/// </summary>
public sealed class PipelineRunnerAppBuilder
{
    private readonly HostApplicationBuilder _host;
    private readonly CommandLineSchema _schema;
    private readonly System.CommandLine.ParseResult _parseResult;

    internal PipelineRunnerAppBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        _schema = new CommandLineSchema();
        _parseResult = _schema.Parse(args);
        _host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name,
        });
        // One line per message, which never lands on the live progress line.
        _host.Logging.AddConsole(o => o.FormatterName = LiveLineConsoleFormatter.FormatterName)
            .AddConsoleFormatter<LiveLineConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        // Unknown keys in the section are errors (a misspelled "Runer" would otherwise be ignored without a word).
        _host.Services.AddOptions<PipelineRunnerHostOptions>().BindConfiguration(PipelineRunnerHostOptions.SectionName, o => o.ErrorOnUnknownConfiguration = true);
        _host.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<PipelineRunnerHostOptions>, PipelineRunnerHostOptionsValidator>();
        // The command line owns Ctrl+C and SIGTERM (a run cancels, a worker drains); the host only starts and stops services.
        _host.Services.AddSingleton<IHostLifetime, CommandLineLifetime>();
        Pipelines = _host.Services.AddPipelineRunner();
    }

    /// <summary>The app's services: register pipelines through <see cref="Pipelines"/>, and anything your nodes need.</summary>
    public IServiceCollection Services => _host.Services;

    /// <summary>The app's configuration; the <c>PipelineRunner</c> section binds to <see cref="PipelineRunnerHostOptions"/>.</summary>
    public IConfigurationManager Configuration => _host.Configuration;

    /// <summary>The app's logging.</summary>
    public ILoggingBuilder Logging => _host.Logging;

    /// <summary>Registers pipelines (<c>AddPipeline</c>), hooks (<c>AddHook</c>) and a code-defined catalog (<c>AddCatalog</c>).</summary>
    public IPipelineRunnerBuilder Pipelines { get; }

    /// <summary>Where commands print their results; the console by default.</summary>
    public TextWriter Output { get; set; } = Console.Out;

    /// <summary>Where commands print errors and the live progress line; the console's error stream by default.</summary>
    public TextWriter Error { get; set; } = Console.Error;

    /// <summary>Builds the app. Options given on the command line join the configuration as its last layer.</summary>
    /// <returns>The app, ready for <see cref="PipelineRunnerApp.RunAsync"/>.</returns>
    public PipelineRunnerApp Build()
    {
        PipelineRunnerApp.StopReportingProjectErrors();
        _host.Configuration.AddInMemoryCollection(_schema.ToConfiguration(_parseResult));
        ProgressMode? progress;
        try
        {
            progress = _host.Configuration.GetSection(PipelineRunnerHostOptions.SectionName).GetValue<ProgressMode?>(nameof(PipelineRunnerHostOptions.Progress));
        }
        catch (InvalidOperationException)
        {
            progress = null; // an invalid value is reported, naming the key, when the command reads its options
        }

        if (LiveProgressDisplay.IsWanted(progress ?? ProgressMode.Auto))
        {
            // The live line replaces the runners' per-node log lines; warnings and errors still show.
            _host.Logging.AddFilter("PipelineRunner.Runners", LogLevel.Warning);
            _host.Logging.AddFilter("PipelineRunner.Distributed", LogLevel.Warning);
        }

        // After the app's own registrations: telemetry the app set up itself is left as it is.
        TelemetryFromEnvironment.AddTo(_host.Services, Environment.GetEnvironmentVariable);
        return new PipelineRunnerApp(_host.Build(), _schema, _parseResult, Output, Error);
    }
}
