using Microsoft.AspNetCore.Routing;
using PipelineRunner.Distributed.Scheduling;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a PipelineRunner scheduler added with <c>services.AddPipelineRunnerScheduler()</c>, as <c>MapGrpcService</c> does.</summary>
public static class SchedulerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the scheduler's gRPC service and the gRPC health service (<c>grpc.health.v1.Health</c>, which answers without
    /// the access token, so orchestrators' gRPC probes work).
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
}
