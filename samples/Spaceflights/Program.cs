// Spaceflights: Kedro's tutorial pipeline in .NET.
// Usage: dotnet run --project samples/Spaceflights [-- --runner sequential|thread|distributed] [--pipeline NAME] [--env ENV]
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Distributed;
using PipelineRunner.Runners;
using Spaceflights;

var runnerName = Option("--runner") ?? "thread";
var pipelineName = Option("--pipeline") ?? "__default__";
var environment = Option("--env") ?? "local";
var projectDirectory = AppContext.BaseDirectory;

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
var logger = loggerFactory.CreateLogger("Spaceflights");

// conf/base, then conf/<env> on top, as Kedro's config loader does.
var catalog = CatalogConfiguration.FromFile(
    Path.Combine(projectDirectory, "conf", "base", "catalog.yml"),
    new CatalogLoadOptions { BaseDirectory = projectDirectory });
var parameters = ParameterConfiguration.FromFile(Path.Combine(projectDirectory, "conf", "base", "parameters.yml"));
var overrides = Path.Combine(projectDirectory, "conf", environment, "parameters.yml");
if (File.Exists(overrides))
{
    parameters = ParameterConfiguration.Merge(parameters, ParameterConfiguration.FromFile(overrides));
}

catalog.AddParameters(parameters);

var pipelines = SpaceflightsPipelines.All();
if (!pipelines.TryGetValue(pipelineName, out var pipeline))
{
    Console.Error.WriteLine($"Unknown pipeline '{pipelineName}'. Registered: {string.Join(", ", pipelines.Keys)}.");
    return 2;
}

AbstractRunner runner = runnerName switch
{
    "sequential" => new SequentialRunner(logger: loggerFactory.CreateLogger<SequentialRunner>()),
    "thread" => new ThreadRunner(logger: loggerFactory.CreateLogger<ThreadRunner>()),
    "distributed" => new DistributedRunner(loggerFactory: loggerFactory), // an in-process scheduler and worker pool
    _ => null!,
};
if (runner is null)
{
    Console.Error.WriteLine($"Unknown runner '{runnerName}'. Accepted: sequential, thread, distributed.");
    return 2;
}

logger.LogInformation("Running pipeline '{Pipeline}' ({Nodes} nodes) with {Runner}", pipelineName, pipeline.Nodes.Count, runner.GetType().Name);
await runner.RunAsync(pipeline, catalog);
if (runner is DistributedRunner distributed)
{
    await distributed.DisposeAsync();
}

foreach (var ns in new[] { "active_modelling_pipeline", "candidate_modelling_pipeline" })
{
    if (catalog.Contains($"{ns}.metrics") && await catalog.ExistsAsync($"{ns}.metrics"))
    {
        var metrics = await catalog.LoadAsync<Metrics>($"{ns}.metrics");
        Console.WriteLine($"{ns}: R2={metrics.R2}, MAE={metrics.MeanAbsoluteError}, RMSE={metrics.RootMeanSquaredError} (train {metrics.TrainRows}, test {metrics.TestRows})");
    }
}

return 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
