using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.DependencyInjection;
using PipelineRunner.Hooks;
using PipelineRunner.Hosting.Progress;
using PipelineRunner.Pipelines;
using PipelineRunner.Reporting;
using PipelineRunner.Runners;

namespace PipelineRunner.Hosting.Commands;

/// <summary><c>run</c>: Kedro's <c>kedro run</c> — filter a registered pipeline and run it with the configured runner.</summary>
internal sealed class RunCommand(CommandContext context)
{
    public async Task<int> ExecuteAsync(ParseResult parsed, CommandLineSchema schema, CancellationToken cancellationToken)
    {
        var services = context.Services;
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        var logger = loggerFactory.CreateLogger("PipelineRunner.Hosting.Run");
        PipelineRunnerHostOptions options;
        Pipeline pipeline;
        DataCatalog catalog;
        AbstractRunner runner;
        ProjectLocation project;
        var ownsRunner = false;
        var pipelineName = parsed.GetValue(schema.RunPipeline) ?? PipelineRegistry.DefaultName;
        try
        {
            options = HostOptions.Get(services);
            HostOptions.RequirePipelines(services, "run");
            pipeline = Select(services.GetRequiredService<PipelineRegistry>().Get(pipelineName), parsed, schema);
            var runtimeParameters = ConfigLoader.ParseRuntimeParameters(parsed.GetValue(schema.Params));
            project = ProjectLocation.Resolve(options);
            catalog = ProjectCatalog.Create(project, options, runtimeParameters, services);
            await RuntimeParameterCheck.ValidateAsync(options, runtimeParameters, pipeline, catalog, services, cancellationToken).ConfigureAwait(false);
            runner = RunnerFactory.Create(options, new CompletionLineFilter(loggerFactory), services, out ownsRunner);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or PipelineException
            or CatalogConfigurationException or DatasetException or InvalidOperationException or OptionsValidationException)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var reportFile = parsed.GetValue(schema.RunReport);
        var recorder = reportFile is null ? null : new PerformanceRecorder();
        var runOptions = new RunOptions { Hooks = services.GetServices<IRunHook>().ToList(), Performance = recorder };
        var stopwatch = Stopwatch.StartNew();
        using var live = LiveProgressDisplay.IsWanted(options.Progress) ? new LiveProgressDisplay(context.Error, pipeline.Nodes.Count) : null;
        var summary = new RunSummary(live);
        try
        {
            logger.LogInformation("{Project}", project.Describe(options.Environment));
            logger.LogInformation("Running pipeline '{Pipeline}' ({Nodes} nodes) with the {Runner} runner",
                pipelineName, pipeline.Nodes.Count, runner.GetType().Name);
            runOptions = runOptions with { Progress = summary };
            var outputs = parsed.GetValue(schema.OnlyMissing)
                ? await runner.RunOnlyMissingAsync(pipeline, catalog, runOptions, cancellationToken).ConfigureAwait(false)
                : await runner.RunAsync(pipeline, catalog, runOptions, cancellationToken).ConfigureAwait(false);
            live?.Complete();
            foreach (var line in summary.Describe(pipelineName, pipeline, catalog, project.Directory, stopwatch.Elapsed, outputs))
            {
                await context.Output.WriteLineAsync(line).ConfigureAwait(false);
            }

            return await WriteReportAsync(recorder, reportFile, context.Output, CancellationToken.None).ConfigureAwait(false) ? 0 : 2;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            live?.Complete();
            await context.Error.WriteLineAsync($"Pipeline '{pipelineName}' cancelled after {stopwatch.Elapsed.TotalSeconds:0.00} s.").ConfigureAwait(false);
            await WriteReportAsync(recorder, reportFile, context.Error, CancellationToken.None).ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex)
        {
            live?.Complete();
            var hint = ex is MissingInputsException && project.ConfigurationDirectory is null
                ? $" No configuration folder was found ({string.Join(" or ", project.Searched.Select(s => $"'{Path.Combine(s, ProjectLocation.DefaultConfigurationSource)}'"))} do not exist): run from the project folder, or give --conf-source."
                : string.Empty;
            await context.Error.WriteLineAsync($"Pipeline '{pipelineName}' failed: {ex.Message}{hint}").ConfigureAwait(false);
            await WriteReportAsync(recorder, reportFile, context.Error, CancellationToken.None).ConfigureAwait(false);
            return 1;
        }
        finally
        {
            if (ownsRunner && runner is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Writes the run's performance report to <c>--report FILE</c> (HTML, or JSON for <c>.json</c>) and says where in one
    /// line; false when the file could not be written. Nothing to do without <c>--report</c>.
    /// </summary>
    private async Task<bool> WriteReportAsync(PerformanceRecorder? recorder, string? file, TextWriter say, CancellationToken cancellationToken)
    {
        if (recorder is null || file is null)
        {
            return true;
        }

        if (recorder.Report is not { } report)
        {
            await say.WriteLineAsync("No performance report: no node needed to run.").ConfigureAwait(false);
            return true;
        }

        string path;
        try
        {
            var stream = OutputFile.Create(file, out path);
            await using (stream.ConfigureAwait(false))
            {
                if (string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase))
                {
                    await report.WriteJsonAsync(stream, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await report.WriteHtmlAsync(stream, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await context.Error.WriteLineAsync($"error: Cannot write the performance report to '{file}' (--report): {ex.Message}").ConfigureAwait(false);
            return false;
        }

        await say.WriteLineAsync($"Wrote the performance report ({report.Nodes.Count} nodes, {report.WallTime.TotalSeconds:0.00} s) to {path}").ConfigureAwait(false);
        return true;
    }

    private static Pipeline Select(Pipeline pipeline, ParseResult parsed, CommandLineSchema schema)
    {
        var filter = new PipelineFilter
        {
            Tags = CommandLineSchema.Values(parsed, schema.Tags),
            NodeNames = CommandLineSchema.Values(parsed, schema.Nodes),
            FromNodes = CommandLineSchema.Values(parsed, schema.FromNodes),
            ToNodes = CommandLineSchema.Values(parsed, schema.ToNodes),
            FromInputs = CommandLineSchema.Values(parsed, schema.FromInputs),
            ToOutputs = CommandLineSchema.Values(parsed, schema.ToOutputs),
            NodeNamespaces = CommandLineSchema.Values(parsed, schema.Namespace),
        };
        var filtered = pipeline.Filter(filter);
        if (filtered.Nodes.Count == 0)
        {
            throw new PipelineException("Pipeline contains no nodes after applying all provided filters. Please ensure that filters are correct.");
        }

        return filtered;
    }
}
