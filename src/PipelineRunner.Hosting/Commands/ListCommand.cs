using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.DependencyInjection;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Hosting.Commands;

/// <summary>
/// <c>list</c>: the registered pipelines, a pipeline's nodes (in run order), its datasets with their catalog types, and
/// the catalog's dataset patterns (the runtime default <c>{default}</c> last, as Kedro's <c>list_patterns()</c>).
/// </summary>
internal sealed class ListCommand(CommandContext context)
{
    public async Task<int> ExecuteAsync(ParseResult parsed, CommandLineSchema schema, CancellationToken cancellationToken)
    {
        var services = context.Services;
        var registry = services.GetRequiredService<PipelineRegistry>();
        var topic = parsed.GetValue(schema.ListTopic) ?? "all";
        var name = parsed.GetValue(schema.ListPipeline) ?? PipelineRegistry.DefaultName;
        Pipeline pipeline;
        DataCatalog? catalog = null;
        try
        {
            HostOptions.RequirePipelines(services, "list");
            pipeline = registry.Get(name);
            if (topic is "all" or "datasets")
            {
                catalog = ProjectCatalog.Create(HostOptions.Get(services), new Dictionary<string, object?>(), services);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or CatalogConfigurationException or DatasetException)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var output = context.Output;
        var invalid = false;
        if (topic is "all" or "pipelines")
        {
            await output.WriteLineAsync("Pipelines:").ConfigureAwait(false);
            foreach (var registered in registry.Names)
            {
                await output.WriteLineAsync($"  {registered} ({registry.Get(registered).Nodes.Count} nodes)").ConfigureAwait(false);
            }
        }

        if (topic is "all" or "nodes")
        {
            await output.WriteLineAsync($"Nodes of '{name}':").ConfigureAwait(false);
            foreach (var node in pipeline.Nodes)
            {
                var tags = node.Tags.Count > 0 ? $" [{string.Join(", ", node.Tags)}]" : string.Empty;
                await output.WriteLineAsync($"  {node.Name}: {string.Join(", ", node.Inputs)} -> {string.Join(", ", node.Outputs)}{tags}").ConfigureAwait(false);
            }
        }

        if (catalog is not null)
        {
            await output.WriteLineAsync($"Datasets of '{name}':").ConfigureAwait(false);
            var inputs = pipeline.Inputs();
            var outputs = pipeline.Outputs();
            foreach (var dataset in pipeline.Datasets().Order(StringComparer.Ordinal))
            {
                var role = inputs.Contains(dataset) ? "input" : outputs.Contains(dataset) ? "output" : "intermediate";
                string type;
                try
                {
                    type = dataset == "parameters" || dataset.StartsWith("params:", StringComparison.Ordinal) ? "parameter"
                        : catalog.Contains(dataset) ? catalog.GetDataset(dataset).GetType().Name
                        : "not in the catalog (the runner's default)";
                }
                catch (Exception ex) when (ex is CatalogConfigurationException or DatasetException)
                {
                    // A factory entry whose options only fail once its placeholders are filled in: list the rest, then fail.
                    await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                    type = "invalid (see the error)";
                    invalid = true;
                }

                await output.WriteLineAsync($"  {dataset} ({role}): {type}").ConfigureAwait(false);
            }

            // Catalog entries no node of the pipeline reads or writes: often a misspelt name on one side.
            var used = pipeline.Datasets();
            foreach (var entry in catalog.ListDatasets().Where(d => !used.Contains(d) && !DatasetNames.IsParameter(d)).Order(StringComparer.Ordinal))
            {
                await output.WriteLineAsync($"  {entry} (not used by any node): {catalog.GetDataset(entry).GetType().Name}").ConfigureAwait(false);
            }

            // As Kedro's list_patterns(): the catalog's factory patterns, most specific first, then the runtime default.
            await output.WriteLineAsync("Dataset patterns:").ConfigureAwait(false);
            foreach (var pattern in catalog.ListPatterns())
            {
                await output.WriteLineAsync($"  {pattern}").ConfigureAwait(false);
            }
        }

        return invalid ? 2 : 0;
    }
}
