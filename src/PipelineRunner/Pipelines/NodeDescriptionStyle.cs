namespace PipelineRunner.Pipelines;

/// <summary>How <see cref="Pipeline.Describe(NodeDescriptionStyle)"/> shows each node (Kedro's <c>names_only</c>).</summary>
public enum NodeDescriptionStyle
{
    /// <summary>The node's full name (Kedro's default, <c>names_only=True</c>).</summary>
    Name,

    /// <summary>
    /// The node's <see cref="Node.ToString"/>: <c>name: function([in1;in2]) -> [out]</c> (Kedro's <c>names_only=False</c>).
    /// </summary>
    Full,
}
