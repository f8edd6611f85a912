using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Runners;
using Spaceflights;

namespace PipelineRunner.Tests.Samples;

/// <summary>Runs the Spaceflights sample's pipelines on its real configuration and data.</summary>
public sealed class SpaceflightsSampleTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "spaceflights-" + Guid.NewGuid().ToString("N"));

    public SpaceflightsSampleTests()
    {
        // The sample's conf/ and data/01_raw/ are copied next to the test assembly by the project reference.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "conf"), "*", SearchOption.AllDirectories)
                     .Concat(Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "data", "01_raw"))))
        {
            var target = Path.Combine(_root, Path.GetRelativePath(AppContext.BaseDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DataCatalog Catalog(string runDirectory)
    {
        var catalog = CatalogConfiguration.FromFile(Path.Combine(_root, "conf", "base", "catalog.yml"), new CatalogLoadOptions { BaseDirectory = runDirectory });
        var parameters = ParameterConfiguration.Merge(
            ParameterConfiguration.FromFile(Path.Combine(_root, "conf", "base", "parameters.yml")),
            ParameterConfiguration.FromFile(Path.Combine(_root, "conf", "local", "parameters.yml")));
        catalog.AddParameters(parameters);
        return catalog;
    }

    private async Task<(Metrics Active, Metrics Candidate)> RunAsync(AbstractRunner runner, string name)
    {
        var runDirectory = Path.Combine(_root, name);
        Directory.CreateDirectory(runDirectory);
        Directory.CreateSymbolicLink(Path.Combine(runDirectory, "data"), Path.Combine(_root, "data"));
        var catalog = Catalog(runDirectory);
        await runner.RunAsync(SpaceflightsPipelines.All()["__default__"], catalog);
        return (
            await catalog.LoadAsync<Metrics>("active_modelling_pipeline.metrics"),
            await catalog.LoadAsync<Metrics>("candidate_modelling_pipeline.metrics"));
    }

    [Fact]
    public async Task FullPipeline_TrainsUsefulModels_AndThreadRunnerMatchesSequential()
    {
        var sequential = await RunAsync(new SequentialRunner(), "sequential");
        var threaded = await RunAsync(new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 4 }), "thread");
        Assert.Equal(sequential, threaded);
        Assert.Equal(74, sequential.Active.TestRows);
        Assert.Equal(296, sequential.Active.TrainRows);
        Assert.InRange(sequential.Active.R2, 0.9, 1.0);
        Assert.InRange(sequential.Candidate.R2, 0.8, 1.0);
        Assert.True(sequential.Active.RootMeanSquaredError < sequential.Candidate.RootMeanSquaredError, "more features should fit better");
    }

    [Fact]
    public async Task FullPipeline_OnTheDistributedRunnersLocalPool_MatchesSequential()
    {
        var sequential = await RunAsync(new SequentialRunner(), "sequential");
        await using var distributed = new PipelineRunner.Distributed.DistributedRunner(new PipelineRunner.Distributed.DistributedRunnerOptions { LocalWorkers = 2 });
        var remote = await RunAsync(distributed, "distributed");
        Assert.Equal(sequential, remote);
    }

    [Fact]
    public void Registry_HasTheTutorialShape()
    {
        var all = SpaceflightsPipelines.All();
        Assert.Equal(9, all["__default__"].Nodes.Count);
        Assert.Equal(3, all["__default__"].OnlyNodesWithTags("preprocessing").Nodes.Count);
        Assert.Equal(2, all["__default__"].OnlyNodesWithTags("training").Nodes.Count);
        Assert.Equal(3, all["__default__"].OnlyNodesWithNamespace("candidate_modelling_pipeline").Nodes.Count);
        Assert.Equal(
            ["companies", "params:active_modelling_pipeline.model_options", "params:candidate_modelling_pipeline.model_options", "reviews", "shuttles"],
            all["__default__"].Inputs().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunOnlyMissing_SkipsPersistedPreprocessing()
    {
        var runDirectory = Path.Combine(_root, "missing");
        Directory.CreateDirectory(runDirectory);
        Directory.CreateSymbolicLink(Path.Combine(runDirectory, "data"), Path.Combine(_root, "data"));
        var pipeline = SpaceflightsPipelines.All()["__default__"];
        await new SequentialRunner().RunAsync(pipeline, Catalog(runDirectory));
        var logger = new ListLogger<SequentialRunner>();
        await new SequentialRunner(logger: logger).RunOnlyMissingAsync(pipeline, Catalog(runDirectory));
        Assert.Contains("Skipping all 9 nodes (all persistent outputs exist)", logger.Messages);
        File.Delete(Path.Combine(_root, "data", "03_primary", "model_input_table.parquet"));
        var second = new ListLogger<SequentialRunner>();
        await new SequentialRunner(logger: second).RunOnlyMissingAsync(pipeline, Catalog(runDirectory));
        Assert.Contains("Running 1 out of 9 nodes", second.Messages);
        Assert.Contains("Completed node: create_model_input_table_node", second.Messages);
    }
}
