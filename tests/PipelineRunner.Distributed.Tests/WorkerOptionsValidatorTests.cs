using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The worker's options are checked by one validator: every fault at once through the options system, the first when a worker is created.</summary>
public sealed class WorkerOptionsValidatorTests
{
    [Fact]
    public void EveryFault_IsNamed()
    {
        var options = new WorkerOptions
        {
            SchedulerAddress = new Uri("tcp://127.0.0.1:5123"),
            MaxConcurrentNodes = 0,
            GiveUpAfter = TimeSpan.Zero,
            PingDelay = TimeSpan.FromMilliseconds(100),
        };

        var result = new WorkerOptionsValidator().Validate(null, options);

        Assert.Equal(
            [
                "Invalid scheduler address 'tcp://127.0.0.1:5123' (WorkerOptions.SchedulerAddress): its scheme is 'tcp', not http or https. Expected http://HOST:PORT or https://HOST:PORT.",
                "WorkerOptions.MaxConcurrentNodes must be at least 1, but was 0.",
                "WorkerOptions.GiveUpAfter must be positive (or null to retry forever), but was 0 s.",
                "WorkerOptions.PingDelay must be at least 1 s, got 0.1 s.",
            ],
            result.Failures);
    }

    [Fact]
    public void AWorker_IsRefusedWithTheFirstFault_AndValidOptionsPass()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PipelineWorker(new WorkerOptions(), new PipelineNodeResolver([])));

        Assert.StartsWith("WorkerOptions.SchedulerAddress is required (for example http://127.0.0.1:5123).", ex.Message, StringComparison.Ordinal);
        Assert.True(new WorkerOptionsValidator().Validate(null, new WorkerOptions { SchedulerAddress = new Uri("http://127.0.0.1:5123") }).Succeeded);
    }
}
