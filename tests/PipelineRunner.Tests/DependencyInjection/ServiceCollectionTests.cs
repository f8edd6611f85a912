using Microsoft.Extensions.DependencyInjection;
using PipelineRunner.Catalog;
using PipelineRunner.DependencyInjection;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.DependencyInjection;

public class ServiceCollectionTests
{
    private sealed class CountingHook : IRunHook
    {
        public int Runs { get; private set; }

        public ValueTask BeforePipelineRunAsync(PipelineRunInfo run, CancellationToken cancellationToken)
        {
            Runs++;
            return default;
        }
    }

    private static ServiceProvider Build(Action<IPipelineRunnerBuilder>? extra = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddPipelineRunner(o => o.MaxDegreeOfParallelism = 2)
            .AddPipeline("double", new Pipeline([Node.Create((int a) => a * 2, "a", "b", name: "double", tags: ["math"])]))
            .AddPipeline("negate", _ => new Pipeline([Node.Create((int a) => -a, "a", "c", name: "negate")]))
            .AddCatalog(_ =>
            {
                var catalog = new DataCatalog();
                catalog.AddValues([new("a", 21)]);
                return catalog;
            })
            .AddHook<CountingHook>()
            .AddHook<CountingHook>();
        extra?.Invoke(builder);
        services.AddPipelineRunner();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Session_RunsRegisteredPipelinesWithCatalogAndHooks()
    {
        using var provider = Build();
        var session = provider.GetRequiredService<PipelineSession>();
        var result = await session.RunAsync("double");
        Assert.Equal(42, result["b"]);
        var all = await session.RunAsync();
        Assert.Equal(42, all["b"]);
        Assert.Equal(-21, all["c"]);
        Assert.Equal(2, ((CountingHook)provider.GetServices<IRunHook>().Single()).Runs);
    }

    [Fact]
    public void Registry_ListsNamesAndExplainsUnknownOnes()
    {
        using var provider = Build();
        var registry = provider.GetRequiredService<PipelineRegistry>();
        Assert.Equal(["__default__", "double", "negate"], registry.Names);
        var ex = Assert.Throws<KeyNotFoundException>(() => registry.Get("nope"));
        Assert.Equal("Failed to find the pipeline named 'nope'. It needs to be registered; registered pipelines: [__default__, double, negate].", ex.Message);
        var typo = Assert.Throws<KeyNotFoundException>(() => registry.Get("dubble"));
        Assert.Equal(
            "Failed to find the pipeline named 'dubble'. It needs to be registered; registered pipelines: [__default__, double, negate]. Did you mean: [double]?",
            typo.Message);
    }

    [Fact]
    public void Runners_AreRegisteredWithOptions()
    {
        using var provider = Build(b => b.UseThreadRunner());
        Assert.IsType<ThreadRunner>(provider.GetRequiredService<AbstractRunner>());
        Assert.Equal(2, provider.GetRequiredService<ThreadRunner>().MaxDegreeOfParallelism);
        Assert.IsType<SequentialRunner>(Build().GetRequiredService<AbstractRunner>());
    }

    [Fact]
    public async Task Session_AppliesFilters()
    {
        using var provider = Build();
        var result = await provider.GetRequiredService<PipelineSession>().RunAsync(filter: new PipelineFilter { Tags = ["math"] });
        Assert.Equal(["b"], result.Keys);
    }
}
