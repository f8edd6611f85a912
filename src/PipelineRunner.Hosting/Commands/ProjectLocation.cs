using PipelineRunner.Catalog.Configuration;

namespace PipelineRunner.Hosting.Commands;

/// <summary>
/// Where a command finds the project, as <c>kedro run</c> does: the configured project folder; else the current
/// directory when it holds the configuration folder; else the app's folder when it does (a build output with
/// <c>conf/</c> copied next to the app); else the current directory, with no configuration (the catalog registered in
/// code).
/// </summary>
/// <param name="Directory">The project folder: relative catalog paths resolve against it.</param>
/// <param name="ConfigurationDirectory">The configuration folder, or null when the project has none.</param>
/// <param name="Searched">The folders looked in for the configuration folder (to say where it was not found).</param>
internal sealed record ProjectLocation(string Directory, string? ConfigurationDirectory, IReadOnlyList<string> Searched)
{
    /// <summary>Finds the project of <paramref name="options"/>.</summary>
    /// <exception cref="CatalogConfigurationException">A configured project or configuration folder does not exist.</exception>
    public static ProjectLocation Resolve(PipelineRunnerHostOptions options) =>
        Resolve(options, System.IO.Directory.GetCurrentDirectory(), AppContext.BaseDirectory);

    /// <summary>Finds the project of <paramref name="options"/> from <paramref name="currentDirectory"/> for an app in <paramref name="appDirectory"/>.</summary>
    internal static ProjectLocation Resolve(PipelineRunnerHostOptions options, string currentDirectory, string appDirectory)
    {
        var source = options.ConfigurationSource;
        var explicitSource = source != DefaultConfigurationSource;
        string[] candidates = string.IsNullOrEmpty(options.ProjectDirectory)
            ? Path.IsPathRooted(source) ? [currentDirectory] : [currentDirectory, appDirectory]
            : [Path.GetFullPath(options.ProjectDirectory, currentDirectory)];
        candidates = [.. candidates.Select(c => Path.TrimEndingDirectorySeparator(Path.GetFullPath(c))).Distinct(StringComparer.Ordinal)];
        if (!string.IsNullOrEmpty(options.ProjectDirectory) && !System.IO.Directory.Exists(candidates[0]))
        {
            throw new CatalogConfigurationException(
                $"The project folder '{candidates[0]}' ({PipelineRunnerHostOptions.SectionName}:{nameof(PipelineRunnerHostOptions.ProjectDirectory)}) does not exist.");
        }

        foreach (var candidate in candidates)
        {
            var configuration = Path.GetFullPath(source, candidate);
            if (System.IO.Directory.Exists(configuration))
            {
                return new ProjectLocation(candidate, configuration, candidates);
            }
        }

        if (explicitSource)
        {
            var looked = string.Join(" or ", candidates.Select(c => $"'{Path.GetFullPath(source, c)}'").Distinct(StringComparer.Ordinal));
            throw new CatalogConfigurationException(
                $"The configuration folder {looked} (--conf-source, {PipelineRunnerHostOptions.SectionName}:{nameof(PipelineRunnerHostOptions.ConfigurationSource)}) does not exist.");
        }

        return new ProjectLocation(candidates[0], null, candidates);
    }

    /// <summary>The configuration folder's name when none is configured.</summary>
    public const string DefaultConfigurationSource = "conf";

    /// <summary>One line for the start of a command: the project folder, the configuration and the environment.</summary>
    public string Describe(string environment) => ConfigurationDirectory is null
        ? $"Project folder '{Directory}'; no configuration folder (no '{DefaultConfigurationSource}' in {string.Join(" or ", Searched.Select(s => $"'{s}'"))}): the catalog is the one registered in code"
        : $"Project folder '{Directory}'; configuration '{ConfigurationDirectory}', environment '{environment}'";
}
