using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;

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

        var loader = new ConfigLoader(new ConfigLoaderOptions
        {
            ConfigurationSource = source,
            Environment = options.Environment,
            ParameterMergeStrategy = options.ParameterMergeStrategy,
            RuntimeParameters = runtimeParameters,
        });
        var result = loader.CreateCatalog(new CatalogLoadOptions
        {
            BaseDirectory = projectDirectory,
            Registry = services.GetService<DatasetTypeRegistry>(),
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
}
