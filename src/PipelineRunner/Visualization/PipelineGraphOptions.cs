namespace PipelineRunner.Visualization;

/// <summary>Options of a pipeline graph export (<see cref="PipelineGraphExport"/>).</summary>
public sealed class PipelineGraphOptions
{
    /// <summary>The HTML page's title and heading; <c>Pipeline</c> by default. Other formats ignore it.</summary>
    public string? Title { get; init; }
}
