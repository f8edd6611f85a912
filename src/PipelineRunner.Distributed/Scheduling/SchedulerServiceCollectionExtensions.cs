using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PipelineRunner.Distributed.Scheduling;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds a PipelineRunner scheduler to any ASP.NET Core app, as <c>AddGrpc</c> does for gRPC services: the scheduler's
/// state machine, its dataset store, the store's bulk endpoint (a hosted service on its own port), the gRPC service
/// (with the access token, if any), the gRPC health service and the HTTP health checks. Map it with
/// <c>app.MapPipelineRunnerScheduler()</c>; the app's Kestrel endpoint must serve HTTP/2 (with TLS when
/// <see cref="SchedulerOptions.Certificate"/> is set: the app configures that endpoint, as for any gRPC service).
/// </summary>
public static class SchedulerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the scheduler. Its options follow the options pattern (<c>services.Configure&lt;SchedulerOptions&gt;</c>
    /// works too) and are validated once, when the app starts (<c>ValidateOnStart</c>).
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Sets the options (store limits, access token, bulk endpoint, faults); defaults when null.</param>
    /// <returns>The services.</returns>
    /// <exception cref="InvalidOperationException">A scheduler was added already.</exception>
    public static IServiceCollection AddPipelineRunnerScheduler(this IServiceCollection services, Action<SchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddSchedulerServices().AddOptions<SchedulerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }

    /// <summary>Adds the scheduler with these very options (the tool's and <see cref="SchedulerServer"/>'s), validated by the same rules.</summary>
    internal static IServiceCollection AddPipelineRunnerScheduler(this IServiceCollection services, SchedulerOptions options)
    {
        services.AddSchedulerServices();
        services.AddSingleton<IOptionsFactory<SchedulerOptions>>(sp => new GivenOptionsFactory(options, sp.GetServices<IValidateOptions<SchedulerOptions>>()));
        return services;
    }

    private static IServiceCollection AddSchedulerServices(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(SchedulerState)))
        {
            throw new InvalidOperationException("AddPipelineRunnerScheduler was called twice: an app hosts one scheduler.");
        }

        services.AddOptions<SchedulerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SchedulerOptions>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<SchedulerOptions>().TimeProvider);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<SchedulerOptions>();
            return new DatasetStore(options.MaxStoreMemoryBytes, options.SpillDirectory, sp.GetRequiredService<ILogger<DatasetStore>>(), options.TimeProvider);
        });
        services.TryAddSingleton<SchedulerState>();
        services.TryAddSingleton<SchedulerMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SchedulerMetricsHostedService>());
        services.TryAddSingleton<PipelineRunner.Distributed.Dashboard.DashboardFeed>(); // subscribes only once the dashboard is mapped
        services.TryAddSingleton<PipelineRunner.Distributed.Dashboard.DashboardAccess>();
        services.TryAddSingleton<BulkEndpoint>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BulkStoreHostedService>());
        services.TryAddSingleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<SchedulerService>, SchedulerMethodProvider>();
        services.AddGrpc();
        // The scheduler's limits and access token hold for its own service only, not for the app's other gRPC services.
        services.AddOptions<GrpcServiceOptions<SchedulerService>>().Configure<SchedulerOptions>((grpc, options) =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.MaxMessageBytes;
            if (options.AccessToken is { } token)
            {
                grpc.Interceptors.Add<AccessTokenInterceptor>(token);
            }
        });
        // One readiness check feeds the gRPC health service and the HTTP endpoints MapPipelineRunnerScheduler maps.
        services.AddGrpcHealthChecks().AddCheck<SchedulerReadinessCheck>("pipelinerunner-scheduler", tags: [SchedulerReadinessCheck.ReadyTag]);
        return services;
    }

    /// <summary>Hands out one given options object, after the registered validators accepted it.</summary>
    private sealed class GivenOptionsFactory(SchedulerOptions options, IEnumerable<IValidateOptions<SchedulerOptions>> validators) : IOptionsFactory<SchedulerOptions>
    {
        public SchedulerOptions Create(string name)
        {
            var failures = validators.Select(v => v.Validate(name, options)).Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
            return failures.Count == 0 ? options : throw new OptionsValidationException(name, typeof(SchedulerOptions), failures);
        }
    }
}
