// Spaceflights: Kedro's tutorial pipeline in .NET, as a PipelineRunner app with Kedro's command line.
//   dotnet run --project samples/Spaceflights                     # run all pipelines on the distributed runner's in-process pool
//   dotnet run --project samples/Spaceflights -- run --runner sequential --pipeline data_processing --env local
//   dotnet run --project samples/Spaceflights -- run --tags training --params candidate_modelling_pipeline.model_options.test_size=0.3
//   dotnet run --project samples/Spaceflights -- list
//   dotnet run --project samples/Spaceflights -- worker --scheduler http://127.0.0.1:5123
using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Hosting;
using Spaceflights;

var builder = PipelineRunnerApp.CreateBuilder(args);
foreach (var (name, pipeline) in SpaceflightsPipelines.All())
{
    builder.Pipelines.AddPipeline(name, pipeline);
}

builder.Pipelines.AddHook<MetricsReportHook>();
await using var app = builder.Build();
return await app.RunAsync();
