using System.Reflection;
using Google.Protobuf;
using Grpc.Core;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The wire contract's generated code is an implementation detail (the PublicAPI baselines guard the rest).</summary>
public class PublicApiTests
{
    private static readonly Assembly Package = typeof(DistributedRunner).Assembly;

    [Fact]
    public void GeneratedProtobufMessagesAndGrpcStubs_AreInternal()
    {
        var generated = Package.GetTypes()
            .Where(t => typeof(IMessage).IsAssignableFrom(t) || typeof(ClientBase).IsAssignableFrom(t) || t.GetCustomAttribute<BindServiceMethodAttribute>() is not null)
            .ToList();

        Assert.Contains(generated, t => t.Name == "NodeSpec");
        Assert.Empty(generated.Where(t => t.IsVisible).Select(t => t.FullName));
        Assert.Empty(Package.GetExportedTypes().Where(t => t.Namespace == "PipelineRunner.Distributed.Protocol").Select(t => t.FullName));
    }
}
