using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Distributed.Tests;

/// <summary>One rule for scheduler addresses, wherever one is given: runner options, worker options, command lines.</summary>
public sealed class SchedulerAddressTests
{
    [Theory]
    [InlineData("ftp://host:1", "its scheme is 'ftp', not http or https")]
    [InlineData("http://host", "it has no port (the scheduler prints its address, port included, when it starts)")]
    [InlineData("http://host:5123/path", "it has a path, query or fragment")]
    public void AnInvalidAddress_IsRefusedWhenTheRunnerOrWorkerIsCreated_NamingTheOption(string address, string problem)
    {
        var runner = Assert.Throws<ArgumentException>(() => new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = new Uri(address) }));
        var worker = Assert.Throws<ArgumentException>(() => new PipelineWorker(new WorkerOptions { SchedulerAddress = new Uri(address) }, new PipelineNodeResolver([])));

        Assert.Equal($"Invalid scheduler address '{address}' (DistributedRunnerOptions.SchedulerAddress): {problem}. Expected http://HOST:PORT or https://HOST:PORT.", runner.Message);
        Assert.Equal($"Invalid scheduler address '{address}' (WorkerOptions.SchedulerAddress): {problem}. Expected http://HOST:PORT or https://HOST:PORT.", worker.Message);
    }

    [Theory]
    [InlineData("http://host:80")]
    [InlineData("https://scheduler.example")]
    [InlineData("http://[::1]:5123/")]
    public void AValidAddress_IsAccepted(string address)
    {
        _ = new DistributedRunner(new DistributedRunnerOptions { SchedulerAddress = new Uri(address) });
        _ = new PipelineWorker(new WorkerOptions { SchedulerAddress = new Uri(address) }, new PipelineNodeResolver([]));
    }
}
