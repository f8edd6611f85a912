using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.Workers;

namespace PipelineRunner.Distributed;

/// <summary>An in-process scheduler on a loopback port with in-process workers, like Dask's <c>LocalCluster</c>.</summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];

    private LocalCluster(SchedulerServer scheduler) => Scheduler = scheduler;

    public SchedulerServer Scheduler { get; }

    public static async Task<LocalCluster> StartAsync(int workers, int concurrency, SchedulerOptions schedulerOptions, INodeResolver resolver, RunHookRegistry hooks, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        if (workers < 1)
        {
            throw new ArgumentException($"DistributedRunnerOptions.LocalWorkers must be at least 1, but was {workers}.", nameof(workers));
        }

        loggerFactory = loggerFactory is null ? null : new PipelineRunner.Distributed.LocalPoolLoggerFactory(loggerFactory);
        SchedulerServer scheduler;
        try
        {
            scheduler = await SchedulerServer.StartAsync(schedulerOptions, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (schedulerOptions.DashboardPort == SchedulerOptions.DefaultDashboardPort)
        {
            // As Dask's LocalCluster: something holds 8787, so the dashboard takes a free port instead.
            schedulerOptions.DashboardPort = 0;
            scheduler = await SchedulerServer.StartAsync(schedulerOptions, loggerFactory, cancellationToken).ConfigureAwait(false);
        }

        var cluster = new LocalCluster(scheduler);
        for (var i = 0; i < workers; i++)
        {
            var worker = new PipelineWorker(
                new WorkerOptions
                {
                    SchedulerAddress = scheduler.Address,
                    WorkerId = $"local-{i + 1}",
                    MaxConcurrentNodes = concurrency,
                    Reconnect = false, // the pool and its scheduler stop together
                    DrainTimeout = TimeSpan.FromSeconds(1),
                },
                resolver,
                loggerFactory)
            {
                RunHooks = hooks, // node and dataset hooks run on the pool's workers: those of the run that assigned the node
            };
            cluster._workers.Add(Task.Run(() => worker.RunAsync(cluster._stop.Token), CancellationToken.None));
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SchedulerUnavailableException or Grpc.Core.RpcException)
        {
            // Workers stop with the cluster.
        }

        await Scheduler.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
