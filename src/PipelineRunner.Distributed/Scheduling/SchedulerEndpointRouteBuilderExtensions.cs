using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using PipelineRunner.Distributed.Scheduling;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a PipelineRunner scheduler added with <c>services.AddPipelineRunnerScheduler()</c>, as <c>MapGrpcService</c> does.</summary>
public static class SchedulerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the scheduler's gRPC service, the gRPC health service (<c>grpc.health.v1.Health</c>, which answers without
    /// the access token, so orchestrators' gRPC probes work) and the HTTP health endpoints for HTTP probes:
    /// <see cref="LivenessPath"/> (200 while the process serves) and <see cref="ReadinessPath"/> (200 while the scheduler
    /// accepts runs and workers, 503 while it starts or stops). They answer on every endpoint of the app; an HTTP/1.1
    /// probe needs an HTTP/1.1 endpoint (<see cref="SchedulerOptions.DashboardPort"/> in the tool and the local pool).
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <returns>The endpoints.</returns>
    public static IEndpointRouteBuilder MapPipelineRunnerScheduler(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<SchedulerService>();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(SchedulerReadinessCheck.ReadyTag) });
        return endpoints;
    }

    /// <summary>The HTTP liveness endpoint: <c>/healthz/live</c>.</summary>
    public const string LivenessPath = "/healthz/live";

    /// <summary>The HTTP readiness endpoint: <c>/healthz/ready</c>.</summary>
    public const string ReadinessPath = "/healthz/ready";
}
