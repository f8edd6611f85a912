using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PipelineRunner.Hosting.Commands;

namespace PipelineRunner.Hosting;

/// <summary>
/// A console app with Kedro's command line: <c>run</c> (the default when no command is given), <c>worker</c> and
/// <c>list</c>, over the pipelines, catalog and hooks registered in its services.
/// </summary>
/// <example>
/// <code>
/// var builder = PipelineRunnerApp.CreateBuilder(args);
/// builder.Pipelines.AddPipeline("data_processing", DataProcessing.Create());
/// return await builder.Build().RunAsync();
/// </code>
/// </example>
public sealed class PipelineRunnerApp : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly CommandLineSchema _schema;
    private readonly System.CommandLine.ParseResult _parseResult;
    private readonly TextWriter _output;
    private readonly TextWriter _error;

    internal PipelineRunnerApp(IHost host, CommandLineSchema schema, System.CommandLine.ParseResult parseResult, TextWriter output, TextWriter error)
    {
        _host = host;
        _schema = schema;
        _parseResult = parseResult;
        _output = output;
        _error = error;
    }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Starts configuring an app for the command-line arguments <paramref name="args"/>.</summary>
    /// <param name="args">The arguments, such as <c>run --pipeline data_processing --runner thread</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// A pipeline that fails to build before it is registered (<c>AddPipeline("name", X.Create())</c> with an invalid
    /// <c>X.Create()</c>, between <c>CreateBuilder</c> and <c>Build</c>) ends the app with its error on one line and
    /// exit code 2, as commands report such errors,
    /// instead of an unhandled exception; registering a factory (<c>AddPipeline("name", _ => X.Create())</c>) defers
    /// the error to the command that needs the pipeline.
    /// </remarks>
    public static PipelineRunnerAppBuilder CreateBuilder(string[] args)
    {
        // Only until Build(): the window in which Program.cs builds the pipelines it registers.
        var builder = new PipelineRunnerAppBuilder(args);
        s_building = builder;
        AppDomain.CurrentDomain.UnhandledException -= ReportProjectError;
        AppDomain.CurrentDomain.UnhandledException += ReportProjectError;
        return builder;
    }

    /// <summary>The builder between <see cref="CreateBuilder"/> and its <c>Build</c>: where a project error is reported.</summary>
    private static PipelineRunnerAppBuilder? s_building;

    /// <summary>Ends the window opened by <see cref="CreateBuilder"/>: later unhandled exceptions are the runtime's to report.</summary>
    internal static void StopReportingProjectErrors()
    {
        AppDomain.CurrentDomain.UnhandledException -= ReportProjectError;
        s_building = null;
    }

    private static void ReportProjectError(object sender, UnhandledExceptionEventArgs e)
    {
        if (e.ExceptionObject is Exception ex && CommandLineSchema.IsProjectError(ex))
        {
            var error = s_building?.Error;
            error?.WriteLine($"error: {ex.Message}");
            error?.Flush();
            Environment.Exit(2);
        }
    }

    /// <summary>
    /// Runs the command the arguments name. Ctrl+C or SIGTERM cancels it: a run stops and releases its datasets, a
    /// worker leaves its scheduler.
    /// </summary>
    /// <param name="cancellationToken">Also stops the command.</param>
    /// <returns>The exit code: 0 on success, 1 when the run failed, 2 for bad arguments or configuration.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        // Hosted services the app registered (telemetry exporters and the like) run for the command's duration.
        await _host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // An app with no pipelines (the pipeline-runner tool) has nothing to run: without arguments it shows its help.
            var parsed = _schema.NoArguments && !_host.Services.GetServices<PipelineRegistration>().Any() ? _schema.Help() : _parseResult;
            return await _schema.InvokeAsync(parsed, new CommandContext(_host.Services, _output, _error), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _host.StopAsync(stopping.Token).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _host.Dispose();
        }
    }
}
