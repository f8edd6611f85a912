using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Storage;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>The store's bulk endpoint for the app's lifetime: bound when the app starts, stopped before the store is disposed.</summary>
internal sealed class BulkStoreHostedService(DatasetStore store, SchedulerOptions options, BulkEndpoint endpoint, ILogger<SchedulerServer> logger) : IHostedService
{
    private BulkStoreServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new BulkStoreServer(IPAddress.Parse(options.Host), options.BulkPort, store, options, logger);
        endpoint.Port = _server.Port;
        endpoint.AdvertisedAddress = options.BulkAdvertisedAddress ?? string.Empty;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
