using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Hosting.Commands;

/// <summary>The run's catalog: <c>conf/base</c> + <c>conf/ENV</c> (+ runtime parameters), plus datasets registered in code.</summary>
internal static class ProjectCatalog
{
    /// <summary>Builds the catalog of the project <paramref name="options"/> locate. Without a configuration folder, the catalog is the one registered in code.</summary>
    /// <exception cref="CatalogConfigurationException">The configuration is invalid or missing, or a dataset is defined both in code and in configuration.</exception>
    public static DataCatalog Create(PipelineRunnerHostOptions options, IReadOnlyDictionary<string, object?> runtimeParameters, IServiceProvider services) =>
        Create(ProjectLocation.Resolve(options), options, runtimeParameters, services);

    /// <summary>Builds the catalog of <paramref name="project"/>. Without a configuration folder, the catalog is the one registered in code.</summary>
    /// <exception cref="CatalogConfigurationException">The configuration is invalid or missing, or a dataset is defined both in code and in configuration.</exception>
    public static DataCatalog Create(ProjectLocation project, PipelineRunnerHostOptions options, IReadOnlyDictionary<string, object?> runtimeParameters, IServiceProvider services)
    {
        var projectDirectory = project.Directory;
        var source = project.ConfigurationDirectory;
        var code = services.GetRequiredService<DataCatalog>();
        if (source is null)
        {
            if (options.Environment != ConfigLoader.DefaultEnvironment)
            {
                throw new CatalogConfigurationException(
                    $"Configuration environment '{options.Environment}' was asked for, but there is no configuration folder '{options.ConfigurationSource}' in {string.Join(" or ", project.Searched.Select(s => $"'{s}'"))}.");
            }

            var catalog = code.ShallowCopy();
            if (runtimeParameters.Count > 0)
            {
                catalog.AddParameters(runtimeParameters);
            }

            return catalog;
        }

        var loader = Loader(source, options, runtimeParameters);
        var result = loader.CreateCatalog(new CatalogLoadOptions
        {
            BaseDirectory = projectDirectory,
            Registry = services.GetService<DatasetTypeRegistry>(),
            LoggerFactory = services.GetService<ILoggerFactory>(),
        });
        foreach (var name in code.ListDatasets())
        {
            if (result.IsRegistered(name))
            {
                throw new CatalogConfigurationException(
                    $"Dataset '{name}' is defined both in code (AddCatalog) and in the configuration under '{source}'; define it in one place.");
            }

            result.Add(name, code.GetDataset(name));
        }

        return result;
    }

    /// <summary>
    /// The parameter keys (at any depth) the project configures without runtime parameters — in parameters files or
    /// registered in code — and the keys its configuration reads with <c>${runtime_params:key}</c>.
    /// </summary>
    /// <exception cref="CatalogConfigurationException">The configuration is invalid.</exception>
    public static (IReadOnlySet<string> Configured, IReadOnlyCollection<string> ReadByConfiguration) ParameterKeys(
        PipelineRunnerHostOptions options, IReadOnlyDictionary<string, object?> runtimeParameters, IServiceProvider services)
    {
        var project = ProjectLocation.Resolve(options);
        var parameters = new DataCatalog();
        IReadOnlyCollection<string> read = [];
        if (project.ConfigurationDirectory is { } source)
        {
            var loader = Loader(source, options, runtimeParameters);
            parameters.AddParameters(loader.GetConfiguredParameters());
            loader.GetCatalogConfiguration();
            loader.GetCredentials();
            read = loader.RuntimeParameterReferences;
        }

        var configured = parameters.ListDatasets().Concat(services.GetRequiredService<DataCatalog>().ListDatasets())
            .Where(DatasetNames.IsSingleParameter)
            .Select(name => name[DatasetNames.ParameterPrefix.Length..])
            .ToHashSet(StringComparer.Ordinal);
        return (configured, read);
    }

    private static ConfigLoader Loader(string source, PipelineRunnerHostOptions options, IReadOnlyDictionary<string, object?> runtimeParameters) =>
        new(new ConfigLoaderOptions
        {
            ConfigurationSource = source,
            Environment = options.Environment,
            ParameterMergeStrategy = options.ParameterMergeStrategy,
            RuntimeParameters = runtimeParameters,
        });
}
