using Microsoft.Extensions.Hosting;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The lifetime of a web host the library embeds (the scheduler): no console messages and no signal handling, so
/// Ctrl+C and SIGTERM stay with the process that hosts it, which stops the scheduler by disposing it. The default
/// console lifetime would take SIGTERM for itself, stop only the embedded server and leave the process running.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
