using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;

namespace PipelineRunner.Hosting.Commands;

/// <summary>The run's catalog: <c>conf/base</c> + <c>conf/ENV</c> (+ runtime parameters), plus datasets registered in code.</summary>
internal static class ProjectCatalog
{
    /// <summary>The project's folder: <see cref="PipelineRunnerHostOptions.ProjectDirectory"/>, else the app's folder.</summary>
    public static string ProjectDirectory(PipelineRunnerHostOptions options) =>
        Path.GetFullPath(string.IsNullOrEmpty(options.ProjectDirectory) ? AppContext.BaseDirectory : options.ProjectDirectory);

    /// <summary>Builds the catalog. Without a configuration folder, the catalog is the one registered in code.</summary>
    /// <exception cref="CatalogConfigurationException">The configuration is invalid, or a dataset is defined both in code and in configuration.</exception>
    public static DataCatalog Create(PipelineRunnerHostOptions options, IReadOnlyDictionary<string, object?> runtimeParameters, IServiceProvider services)
    {
        var projectDirectory = ProjectDirectory(options);
        if (!Directory.Exists(projectDirectory))
        {
            throw new CatalogConfigurationException(
                $"The project folder '{projectDirectory}' ({PipelineRunnerHostOptions.SectionName}:{nameof(PipelineRunnerHostOptions.ProjectDirectory)}) does not exist.");
        }

        var source = Path.Combine(projectDirectory, options.ConfigurationSource);
        var code = services.GetRequiredService<DataCatalog>();
        if (!Directory.Exists(source))
        {
            if (options.Environment != ConfigLoader.DefaultEnvironment)
            {
                throw new CatalogConfigurationException(
                    $"Configuration environment '{options.Environment}' was asked for, but there is no configuration folder '{source}'.");
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
