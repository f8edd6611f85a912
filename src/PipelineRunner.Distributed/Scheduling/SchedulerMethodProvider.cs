using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using PipelineRunner.Distributed.Protocol;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// Binds <see cref="SchedulerService"/>'s methods to the wire contract with marshallers of our own, so that a request
/// that is not a valid protobuf message gets <see cref="StatusCode.InvalidArgument"/> naming the message type, like
/// every other malformed request, instead of the framework's generic error.
/// </summary>
internal sealed class SchedulerMethodProvider : IServiceMethodProvider<SchedulerService>
{
    private static readonly string ServiceName = Protocol.Scheduler.Descriptor.FullName;

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<SchedulerService> context)
    {
        context.AddUnaryMethod(Method<InfoRequest, InfoResponse>(MethodType.Unary, "Info"), [], (service, request, call) => service.Info(request, call));
        context.AddUnaryMethod(Method<StatusRequest, StatusResponse>(MethodType.Unary, "Status"), [], (service, request, call) => service.Status(request, call));
        context.AddServerStreamingMethod(Method<SubmitRunRequest, RunEvent>(MethodType.ServerStreaming, "SubmitRun"), [], (service, request, stream, call) => service.SubmitRun(request, stream, call));
        context.AddDuplexStreamingMethod(Method<WorkerMessage, SchedulerMessage>(MethodType.DuplexStreaming, "Connect"), [], (service, requests, responses, call) => service.Connect(requests, responses, call));
        context.AddClientStreamingMethod(Method<PublishRequest, PublishResponse>(MethodType.ClientStreaming, "Publish"), [], (service, requests, call) => service.Publish(requests, call));
        context.AddServerStreamingMethod(Method<GetRequest, DataChunk>(MethodType.ServerStreaming, "Get"), [], (service, request, stream, call) => service.Get(request, stream, call));
        context.AddUnaryMethod(Method<DatasetNamesRequest, ExistsResponse>(MethodType.Unary, "Exists"), [], (service, request, call) => service.Exists(request, call));
        context.AddUnaryMethod(Method<DatasetNamesRequest, ReleaseResponse>(MethodType.Unary, "Release"), [], (service, request, call) => service.Release(request, call));
        context.AddUnaryMethod(Method<ListRequest, ListResponse>(MethodType.Unary, "List"), [], (service, request, call) => service.List(request, call));
    }

    private static Method<TRequest, TResponse> Method<TRequest, TResponse>(MethodType type, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(type, ServiceName, name, Marshaller<TRequest>(), Marshaller<TResponse>());

    private static Marshaller<T> Marshaller<T>()
        where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return new Marshaller<T>(
            (message, serialization) =>
            {
                serialization.SetPayloadLength(message.CalculateSize());
                message.WriteTo(serialization.GetBufferWriter());
                serialization.Complete();
            },
            deserialization =>
            {
                try
                {
                    return parser.ParseFrom(deserialization.PayloadAsReadOnlySequence());
                }
                catch (InvalidProtocolBufferException ex)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"Malformed {typeof(T).Name} message: {ex.Message}"));
                }
            });
    }
}
