using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Scheduling;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds a PipelineRunner scheduler to any ASP.NET Core app, as <c>AddGrpc</c> does for gRPC services: the scheduler's
/// state machine, its dataset store, the store's bulk endpoint (a hosted service on its own port), the gRPC service
/// (with the access token, if any) and the gRPC health service. Map it with
/// <c>app.MapPipelineRunnerScheduler()</c>; the app's Kestrel endpoint must serve HTTP/2 (with TLS when
/// <see cref="SchedulerOptions.Certificate"/> is set: the app configures that endpoint, as for any gRPC service).
/// </summary>
public static class SchedulerServiceCollectionExtensions
{
    /// <summary>Adds the scheduler. Its options are checked here, once.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Sets the options (store limits, access token, bulk endpoint, faults); defaults when null.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message names the option.</exception>
    public static IServiceCollection AddPipelineRunnerScheduler(this IServiceCollection services, Action<SchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new SchedulerOptions();
        configure?.Invoke(options);
        return services.AddPipelineRunnerScheduler(options);
    }

    /// <summary>Adds the scheduler with <paramref name="options"/>, checked here, once.</summary>
    internal static IServiceCollection AddPipelineRunnerScheduler(this IServiceCollection services, SchedulerOptions options)
    {
        SchedulerOptionsCheck.Validate(options);
        if (services.Any(d => d.ServiceType == typeof(SchedulerState)))
        {
            throw new InvalidOperationException("AddPipelineRunnerScheduler was called twice: an app hosts one scheduler.");
        }

        services.TryAddSingleton(options);
        services.TryAddSingleton(options.TimeProvider);
        services.TryAddSingleton(sp => new DatasetStore(options.MaxStoreMemoryBytes, options.SpillDirectory, sp.GetRequiredService<ILogger<DatasetStore>>(), options.TimeProvider));
        services.TryAddSingleton<SchedulerState>();
        services.TryAddSingleton<BulkEndpoint>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BulkStoreHostedService>());
        services.TryAddSingleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<SchedulerService>, SchedulerMethodProvider>();
        // The scheduler's limits and access token hold for its own service only, not for the app's other gRPC services.
        services.AddGrpc().AddServiceOptions<SchedulerService>(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.MaxMessageBytes;
            if (options.AccessToken is { } token)
            {
                grpc.Interceptors.Add<PipelineRunner.Distributed.Scheduling.AccessTokenInterceptor>(token);
            }
        });
        services.AddGrpcHealthChecks().AddCheck("pipelinerunner-scheduler", () => HealthCheckResult.Healthy("The scheduler accepts runs and workers."));
        return services;
    }
}
