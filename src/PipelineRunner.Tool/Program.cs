// pipeline-runner: the app host with no pipelines of its own. Its command is `scheduler` (a standalone scheduler with
// its dataset store, which needs no user code: drivers and workers, the users' apps, connect to the address it
// prints); `--help` lists the commands and options, `--version` the version. SIGTERM or Ctrl+C stops it gracefully.
using PipelineRunner.Hosting;

var builder = PipelineRunnerApp.CreateBuilder(args);
await using var app = builder.Build();
return await app.RunAsync();

/// <summary>The tool's entry point; an app, not an API.</summary>
internal static partial class Program;
