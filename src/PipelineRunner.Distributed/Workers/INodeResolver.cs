using System.Collections.Concurrent;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Distributed.Workers;

/// <summary>Finds the node a scheduler assigns, by its full name, among the pipelines a worker process knows.</summary>
public interface INodeResolver
{
    /// <summary>Finds a node.</summary>
    /// <param name="name">The node's full name.</param>
    /// <returns>The node, or null when this process has no node of that name.</returns>
    Node? FindNode(string name);
}

/// <summary>Resolves nodes from a fixed set of pipelines, such as the ones an app registers.</summary>
public sealed class PipelineNodeResolver : INodeResolver
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    /// <summary>Creates the resolver.</summary>
    /// <param name="pipelines">The pipelines whose nodes workers may run.</param>
    public PipelineNodeResolver(IEnumerable<Pipeline> pipelines)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        foreach (var node in pipelines.SelectMany(p => p.Nodes))
        {
            _nodes.TryAdd(node.Name, node);
        }
    }

    /// <inheritdoc />
    public Node? FindNode(string name) => _nodes.GetValueOrDefault(name);
}

/// <summary>Resolves the nodes of the pipelines an in-process driver is running (the local pool).</summary>
internal sealed class LocalNodeResolver : INodeResolver
{
    private readonly ConcurrentDictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    public void Register(Pipeline pipeline)
    {
        foreach (var node in pipeline.Nodes)
        {
            _nodes[node.Name] = node;
        }
    }

    public Node? FindNode(string name) => _nodes.GetValueOrDefault(name);
}
