// pipeline-runner: the app host with no pipelines of its own. Its commands are `scheduler` (a standalone scheduler with
// its dataset store, which needs no user code: drivers and workers, the users' apps, connect to the address it
// prints) and `status --scheduler URL [--json]` (a scheduler's workers, runs and store use); `--help` lists the
// commands and options, `--version` the version. SIGTERM or Ctrl+C stops it gracefully.
using PipelineRunner.Hosting;

var builder = PipelineRunnerApp.CreateBuilder(args);
await using var app = builder.Build();
return await app.RunAsync();

/// <summary>The tool's entry point; an app, not an API.</summary>
internal static partial class Program;
