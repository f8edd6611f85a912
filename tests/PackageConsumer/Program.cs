// A user's app on the PipelineRunner packages: sums the squares of 1..count and saves the total as JSON.
using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Hosting;
using PipelineRunner.Pipelines;

var builder = PipelineRunnerApp.CreateBuilder(args);
builder.Pipelines.AddPipeline("squares", new Pipeline([
    Node.Create((long count) => Enumerable.Range(1, (int)count).Select(i => (long)i).ToArray(), "params:count", "numbers", name: "numbers"),
    Node.Create((long[] numbers) => numbers.Select(n => n * n).ToArray(), "numbers", "squares", name: "square"),
    Node.Create((long[] squares) => squares.Sum(), "squares", "total", name: "sum"),
]));
await using var app = builder.Build();
return await app.RunAsync();
