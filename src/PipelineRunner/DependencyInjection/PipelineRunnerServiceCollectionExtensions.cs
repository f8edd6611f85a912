using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.DependencyInjection;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PipelineRunner in an <see cref="IServiceCollection"/>.</summary>
public static class PipelineRunnerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the pipeline registry, a session, the sequential and thread runners (the sequential runner is the default
    /// <see cref="AbstractRunner"/>) and an empty catalog unless one is registered. Calling it again adds nothing twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the runner options; optional.</param>
    /// <returns>A builder to register pipelines, hooks and the catalog.</returns>
    public static IPipelineRunnerBuilder AddPipelineRunner(this IServiceCollection services, Action<ThreadRunnerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new ThreadRunnerOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new PipelineRegistry(
            sp.GetServices<PipelineRegistration>().Select(r => new KeyValuePair<string, Func<Pipeline>>(r.Name, () => r.Factory(sp)))));
        services.TryAddSingleton(sp => new DataCatalog(sp.GetService<ILogger<DataCatalog>>()));
        services.TryAddTransient(sp => new SequentialRunner(sp.GetRequiredService<ThreadRunnerOptions>(), sp.GetService<ILogger<SequentialRunner>>()));
        services.TryAddTransient(sp => new ThreadRunner(sp.GetRequiredService<ThreadRunnerOptions>(), sp.GetService<ILogger<ThreadRunner>>()));
        services.TryAddTransient<AbstractRunner>(sp => sp.GetRequiredService<SequentialRunner>());
        services.TryAddTransient(sp => new PipelineSession(
            sp.GetRequiredService<PipelineRegistry>(),
            () => sp.GetRequiredService<DataCatalog>().ShallowCopy(),
            sp.GetRequiredService<AbstractRunner>(),
            sp.GetServices<IRunHook>()));
        return new PipelineRunnerBuilder(services);
    }

    /// <summary>Registers a named pipeline.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The pipeline name (<c>__default__</c> for the default pipeline).</param>
    /// <param name="factory">Creates the pipeline on first use.</param>
    /// <returns>The builder.</returns>
    public static IPipelineRunnerBuilder AddPipeline(this IPipelineRunnerBuilder builder, string name, Func<IServiceProvider, Pipeline> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(new PipelineRegistration(name, factory));
        return builder;
    }

    /// <summary>Registers a named pipeline.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The pipeline name.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>The builder.</returns>
    public static IPipelineRunnerBuilder AddPipeline(this IPipelineRunnerBuilder builder, string name, Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return builder.AddPipeline(name, _ => pipeline);
    }

    /// <summary>Registers a hook type (singleton); registering the same type twice adds it once.</summary>
    /// <typeparam name="THook">The hook type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IPipelineRunnerBuilder AddHook<THook>(this IPipelineRunnerBuilder builder)
        where THook : class, IRunHook
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunHook, THook>());
        return builder;
    }

    /// <summary>Registers the catalog the session runs with, replacing the default empty one.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the catalog.</param>
    /// <returns>The builder.</returns>
    public static IPipelineRunnerBuilder AddCatalog(this IPipelineRunnerBuilder builder, Func<IServiceProvider, DataCatalog> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>Makes <see cref="ThreadRunner"/> the default <see cref="AbstractRunner"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IPipelineRunnerBuilder UseThreadRunner(this IPipelineRunnerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Transient<AbstractRunner>(sp => sp.GetRequiredService<ThreadRunner>()));
        return builder;
    }

    private sealed class PipelineRunnerBuilder(IServiceCollection services) : IPipelineRunnerBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>Chains PipelineRunner registrations.</summary>
public interface IPipelineRunnerBuilder
{
    /// <summary>The services being configured.</summary>
    IServiceCollection Services { get; }
}

/// <summary>A named pipeline registration, collected into the <see cref="PipelineRegistry"/>.</summary>
/// <param name="Name">The pipeline name.</param>
/// <param name="Factory">Creates the pipeline.</param>
public sealed record PipelineRegistration(string Name, Func<IServiceProvider, Pipeline> Factory);
