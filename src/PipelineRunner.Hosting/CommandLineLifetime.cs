using Microsoft.Extensions.Hosting;

namespace PipelineRunner.Hosting;

/// <summary>
/// The host's lifetime under the command line: no console messages and no signal handling of its own, since the
/// running command reacts to Ctrl+C and SIGTERM (a run cancels, a worker drains and leaves).
/// </summary>
internal sealed class CommandLineLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
