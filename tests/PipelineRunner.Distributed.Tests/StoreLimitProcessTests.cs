using PipelineRunner.Catalog;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The store's memory limit with real processes: the pipeline-runner tool as scheduler, two test-app workers.</summary>
public sealed class StoreLimitProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task IntermediatesOverTheStoresMemoryLimit_SpillToDisk_AndTheRunCompletes_LeavingNoSpillFiles()
    {
        var root = Directory.CreateTempSubdirectory("pr-spill-").FullName;
        var spill = Path.Combine(root, "spill"); // created by the store on its first spill
        var processes = new List<ChildProcess>();
        try
        {
            var scheduler = ChildProcess.StartTool("scheduler", "--max-store-memory", "12", "--spill-directory", spill);
            processes.Add(scheduler);
            var address = (await scheduler.WaitForLineAsync("scheduler listening on ", Timeout))["scheduler listening on ".Length..];
            for (var i = 1; i <= 2; i++)
            {
                var worker = ChildProcess.Start("worker", "--scheduler", address, "--id", $"spill-{i}");
                processes.Add(worker);
                await worker.WaitForLineAsync("worker ", Timeout);
            }

            // Four 8 MB blobs live at once in a store that keeps 12 MB in memory.
            var catalog = new DataCatalog();
            catalog.AddParameters(new Dictionary<string, object?> { ["blob_mb"] = 8L });
            var expected = await new SequentialRunner().RunAsync(SharedPipelines.Blobs(), catalog);
            await using var runner = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = new Uri(address) });
            var actual = await runner.RunAsync(SharedPipelines.Blobs(), catalog).WaitAsync(Timeout);

            Assert.Equal(expected["total_checksum"], actual["total_checksum"]);
            Assert.True(Directory.Exists(spill), "the store never spilled");
            Assert.Empty(Directory.EnumerateFiles(spill)); // released values took their files with them
            Assert.Equal(["total_checksum"], (await runner.ListStoreAsync()).Names);
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
        }
    }
}
