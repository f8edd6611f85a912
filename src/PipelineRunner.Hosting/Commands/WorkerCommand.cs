using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.DependencyInjection;
using PipelineRunner.Distributed.Workers;
using PipelineRunner.Hooks;

namespace PipelineRunner.Hosting.Commands;

/// <summary><c>worker</c>: serve a scheduler with the nodes of this app's registered pipelines until stopped.</summary>
internal sealed class WorkerCommand(CommandContext context)
{
    public async Task<int> ExecuteAsync(ParseResult parsed, CommandLineSchema schema, CancellationToken cancellationToken)
    {
        var services = context.Services;
        PipelineWorker worker;
        Uri scheduler;
        try
        {
            var options = HostOptions.Get(services);
            scheduler = options.SchedulerAddress
                ?? throw new ArgumentException("worker needs a scheduler: --scheduler http://HOST:PORT (or configuration PipelineRunner:SchedulerAddress).");

            var registry = services.GetRequiredService<PipelineRegistry>();
            HostOptions.RequirePipelines(services, "worker");

            var workerOptions = new WorkerOptions
            {
                SchedulerAddress = scheduler,
                MaxConcurrentNodes = options.WorkerConcurrency,
                DatasetTypes = services.GetService<DatasetTypeRegistry>(),
                // Node and dataset hooks run where the node runs: this app's registrations, as Kedro's Dask runner does.
                Hooks = services.GetServices<IRunHook>().ToList(),
            };
            HostOptions.ApplySecurity(options, workerOptions.Security);
            if (parsed.GetValue(schema.WorkerId) is { Length: > 0 } id)
            {
                workerOptions.WorkerId = id;
            }

            if (parsed.GetValue(schema.PingDelay) is { } pingDelay)
            {
                workerOptions.PingDelay = TimeSpan.FromSeconds(pingDelay);
            }

            if (parsed.GetValue(schema.PingTimeout) is { } pingTimeout)
            {
                workerOptions.PingTimeout = TimeSpan.FromSeconds(pingTimeout);
            }

            if (parsed.GetValue(schema.GiveUpAfter) is { } giveUp)
            {
                workerOptions.GiveUpAfter = TimeSpan.FromSeconds(giveUp);
            }

            worker = new PipelineWorker(workerOptions, new PipelineNodeResolver(registry.Names.Select(registry.Get)), services.GetRequiredService<ILoggerFactory>());
        }
        catch (ArgumentException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await context.Output.WriteLineAsync($"worker {worker.Id} serving {scheduler}").ConfigureAwait(false);
        try
        {
            await worker.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by Ctrl+C or SIGTERM.
        }
        catch (Distributed.SchedulerUnavailableException ex)
        {
            // Refused, or gave up: the message is one sentence naming the worker, the scheduler and why.
            await context.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }

        await context.Output.WriteLineAsync($"worker {worker.Id} stopped").ConfigureAwait(false);
        return 0;
    }
}
