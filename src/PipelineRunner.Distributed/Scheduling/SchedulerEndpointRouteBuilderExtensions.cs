using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using PipelineRunner.Distributed.Scheduling;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a PipelineRunner scheduler added with <c>services.AddPipelineRunnerScheduler()</c>, as <c>MapGrpcService</c> does.</summary>
public static class SchedulerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the scheduler's gRPC service and the gRPC health service (<c>grpc.health.v1.Health</c>, which answers without
    /// the access token, so orchestrators' gRPC probes work), as <c>MapGrpcService</c> does.
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <returns>The endpoints.</returns>
    public static IEndpointRouteBuilder MapPipelineRunnerScheduler(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<SchedulerService>();
        endpoints.MapGrpcHealthChecksService();
        return endpoints;
    }

    /// <summary>
    /// Maps HTTP health endpoints for HTTP probes: <paramref name="livenessPath"/> (200 while the process serves) and
    /// <paramref name="readinessPath"/> (200 while the scheduler accepts runs and workers, 503 while it starts or stops;
    /// it runs the checks tagged <c>ready</c>). An app that has health endpoints of its own maps these elsewhere or not
    /// at all. They answer on every endpoint of the app; an HTTP/1.1 probe needs an HTTP/1.1 endpoint
    /// (<see cref="SchedulerOptions.DashboardPort"/> in the tool and <see cref="SchedulerServer"/>).
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="livenessPath">The liveness path; <see cref="LivenessPath"/> by default.</param>
    /// <param name="readinessPath">The readiness path; <see cref="ReadinessPath"/> by default.</param>
    /// <returns>The endpoints.</returns>
    public static IEndpointRouteBuilder MapPipelineRunnerSchedulerHealthChecks(this IEndpointRouteBuilder endpoints, string livenessPath = LivenessPath, string readinessPath = ReadinessPath)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks(livenessPath, new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks(readinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(SchedulerReadinessCheck.ReadyTag) });
        return endpoints;
    }

    /// <summary>The HTTP liveness endpoint: <c>/healthz/live</c>.</summary>
    public const string LivenessPath = "/healthz/live";

    /// <summary>The HTTP readiness endpoint: <c>/healthz/ready</c>.</summary>
    public const string ReadinessPath = "/healthz/ready";
}
