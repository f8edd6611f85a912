namespace PipelineRunner.Distributed.Protocol;

/// <summary>Constants both sides of the wire agree on, beside the contract in <c>protos/pipeline_runner.proto</c>.</summary>
internal static class Wire
{
    /// <summary>Values up to this size (64 KB) ride inside assignment and completion messages instead of the store.</summary>
    public const int InlineLimit = 64 * 1024;

    /// <summary>Values stream over gRPC in chunks of at most this size: 1 MB, the largest buffer grpc-dotnet pools.</summary>
    public const int ChunkSize = 1024 * 1024;

    /// <summary>The response header a worker's stream opens with once the scheduler has registered the worker.</summary>
    public const string RegisteredHeader = "pipelinerunner-registered";
}
