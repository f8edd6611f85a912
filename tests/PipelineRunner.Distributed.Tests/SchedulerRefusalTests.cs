using PipelineRunner.Catalog;
using PipelineRunner.Distributed.TestApp;

namespace PipelineRunner.Distributed.Tests;

/// <summary>A scheduler that answers with a refusal of its own is not reported as unreachable.</summary>
public sealed class SchedulerRefusalTests
{
    [Fact]
    public async Task ARunTheSchedulerDoesNotAccept_FailsWithItsReason_NotAsUnreachable_AndReleasesWhatWasPublished()
    {
        var options = new DistributedRunnerOptions { LocalWorkers = 1 };
        options.LocalScheduler.MaxNodesPerRun = 2;
        await using var runner = new DistributedRunner(options);
        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(SharedPipelines.Chain(3), catalog).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Matches(@"^The scheduler at http://127\.0\.0\.1:\d+/ refused the request: Run '\w+' has 3 nodes; the scheduler accepts at most 2 \(SchedulerOptions.MaxNodesPerRun\)\.$", ex.Message);
        Assert.Empty((await runner.ListStoreAsync()).Names);
    }
}
