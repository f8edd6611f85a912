using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// Whether the scheduler accepts runs and workers: from the moment the app has started until it starts stopping
/// (a scheduler that is shutting down tells drivers and must leave a load balancer's rotation).
/// </summary>
internal sealed class SchedulerReadinessCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    /// <summary>The tag of readiness checks; the HTTP readiness endpoint runs only these.</summary>
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("The scheduler is shutting down.")
            : !lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Unhealthy("The scheduler is starting.")
            : HealthCheckResult.Healthy("The scheduler accepts runs and workers."));
}
