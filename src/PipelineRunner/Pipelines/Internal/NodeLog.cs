using Microsoft.Extensions.Logging;

namespace PipelineRunner.Pipelines.Internal;

/// <summary>What a node has to say while it runs, written to the runner's logger.</summary>
internal static partial class NodeLog
{
    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "Node '{NodeName}' returned a value of type '{ValueType}', but the node is defined with no outputs. The return value is ignored for nodes without declared outputs. If this return value is intentional, declare outputs in the node definition to include it in the pipeline.")]
    public static partial void ReturnValueIgnored(ILogger logger, string nodeName, string valueType);
}
