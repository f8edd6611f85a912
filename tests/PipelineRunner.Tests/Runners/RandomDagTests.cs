using System.Collections.Concurrent;
using FsCheck;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Runners;

/// <summary>Differential tests on random DAGs: parallel equals sequential; order respects dependencies.</summary>
public class RandomDagTests
{
    private static (Pipeline Pipeline, ConcurrentQueue<string> Order) Build(int seed, int size)
    {
        var random = new Random(seed);
        var order = new ConcurrentQueue<string>();
        var nodes = new List<Node>();
        for (var i = 0; i < size; i++)
        {
            // Node i reads up to 3 outputs of earlier nodes (or the free input), so the graph is acyclic.
            var inputs = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => i == 0 || random.Next(5) == 0 ? "seed" : $"d{random.Next(i)}")
                .Distinct().ToArray();
            var name = $"n{i}";
            var salt = random.Next(1, 100);
            long Body(long[] values)
            {
                order.Enqueue(name);
                return values.Sum() * 31 + salt;
            }

            Delegate fn = inputs.Length switch
            {
                1 => (long a) => Body([a]),
                2 => (long a, long b) => Body([a, b]),
                _ => (long a, long b, long c) => Body([a, b, c]),
            };
            nodes.Add(Node.Create(fn, NodeInputs.List(inputs), $"d{i}", name: name));
        }

        return (new Pipeline(nodes), order);
    }

    private static async Task<IReadOnlyDictionary<string, object?>> Run(AbstractRunner runner, Pipeline pipeline)
    {
        var catalog = new DataCatalog();
        catalog.AddValues([new("seed", 7L)]);
        return await runner.RunAsync(pipeline, catalog);
    }

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public bool ParallelResultEqualsSequentialResult(PositiveInt seed, PositiveInt size)
    {
        var n = 1 + (size.Get % 60);
        var (pipeline, _) = Build(seed.Get, n);
        var sequential = Run(new SequentialRunner(), pipeline).GetAwaiter().GetResult();
        var parallel = Run(new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 4 }), pipeline).GetAwaiter().GetResult();
        return sequential.Count == parallel.Count && sequential.All(kv => Equals(parallel[kv.Key], kv.Value));
    }

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public bool ExecutionOrderRespectsDependencies(PositiveInt seed, PositiveInt size)
    {
        var n = 1 + (size.Get % 60);
        var (pipeline, order) = Build(seed.Get, n);
        Run(new ThreadRunner(new ThreadRunnerOptions { MaxDegreeOfParallelism = 3 }), pipeline).GetAwaiter().GetResult();
        var position = order.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        return position.Count == n && pipeline.Nodes.All(node =>
            pipeline.DependenciesOf(node).All(parent => position[parent.Name] < position[node.Name]));
    }

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public bool TopologicalOrderIsDeterministicAndValid(PositiveInt seed, PositiveInt size)
    {
        var n = 1 + (size.Get % 80);
        var (first, _) = Build(seed.Get, n);
        var (second, _) = Build(seed.Get, n);
        var position = first.Nodes.Select((node, i) => (node.Name, i)).ToDictionary(p => p.Name, p => p.i);
        return first.Nodes.Select(x => x.Name).SequenceEqual(second.Nodes.Select(x => x.Name))
            && first.Nodes.All(node => first.DependenciesOf(node).All(p => position[p.Name] < position[node.Name]));
    }

    [FsCheck.Xunit.Property(MaxTest = 30)]
    public bool FromInputsAndToOutputsAreClosedUnderDependencies(PositiveInt seed, PositiveInt size)
    {
        var n = 2 + (size.Get % 50);
        var (pipeline, _) = Build(seed.Get, n);
        var pivot = $"d{seed.Get % n}";
        var upstream = pipeline.ToOutputs(pivot);
        var downstream = pipeline.FromInputs(pivot);
        var up = upstream.Nodes.Select(x => x.Name).ToHashSet();
        var down = downstream.Nodes.Select(x => x.Name).ToHashSet();
        return upstream.Nodes.All(node => pipeline.DependenciesOf(node).All(p => up.Contains(p.Name)))
            && pipeline.Nodes.All(node => !pipeline.DependenciesOf(node).Any(p => down.Contains(p.Name)) || down.Contains(node.Name));
    }
}
