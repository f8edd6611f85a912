using System.Net;
using PipelineRunner.Distributed.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>The store's bulk endpoint for the app's lifetime: bound when the app starts, stopped before the store is disposed.</summary>
internal sealed class BulkStoreHostedService(DatasetStore store, SchedulerOptions options, BulkEndpoint endpoint, ILogger<SchedulerServer> logger) : IHostedService, IAsyncDisposable
{
    private BulkStoreServer? _server;

    /// <summary>Stops the endpoint if the app never stopped it (a later service failed to start): the container disposes this before the store.</summary>
    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new BulkStoreServer(IPAddress.Parse(options.Host), options.BulkPort, store, options, logger);
        endpoint.Port = _server.Port;
        bool? advertisedTls = null;
        endpoint.AdvertisedAddress = options.BulkAdvertisedAddress is { } advertised && BulkAddress.TryParse(advertised, out var address, out advertisedTls)
            ? $"{address.Host}:{address.Port}"
            : string.Empty;
        endpoint.Tls = advertisedTls ?? options.Certificate is not null;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
