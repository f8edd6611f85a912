using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PipelineRunner.Distributed.Dashboard;
using PipelineRunner.Distributed.Scheduling;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the live dashboard of a PipelineRunner scheduler added with <c>services.AddPipelineRunnerScheduler()</c>.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard at the app's root and starts its feed of the scheduler's changes: the pages <c>/</c> (runs,
    /// workers, store), <c>/runs/{id}</c> (a run's pipeline graph, coloured live) and <c>/tasks</c> (the task stream),
    /// their embedded assets under <c>/assets/</c>, the Server-Sent Events stream <c>/api/events</c> (a snapshot, then
    /// each change) and JSON at <c>/api/runs</c>, <c>/api/runs/{id}</c>, <c>/api/runs/{id}/datasets/{name}</c>, <c>/api/workers</c> and <c>/api/store</c>.
    /// With the scheduler's access token set, each of them answers 401 without it (see
    /// <see cref="SchedulerOptions.AccessToken"/>; a browser opens <c>/?token=TOKEN</c> once). Browsers need an
    /// HTTP/1.1 endpoint (<see cref="SchedulerOptions.DashboardPort"/> in <see cref="SchedulerServer"/>).
    /// </summary>
    /// <param name="endpoints">The app's endpoints, with the scheduler's services added.</param>
    /// <returns>The dashboard's endpoints, for conventions (host or authorization requirements).</returns>
    /// <exception cref="InvalidOperationException">The scheduler's services were not added.</exception>
    public static IEndpointConventionBuilder MapPipelineRunnerDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var feed = endpoints.ServiceProvider.GetService<DashboardFeed>()
            ?? throw new InvalidOperationException("MapPipelineRunnerDashboard needs services.AddPipelineRunnerScheduler() first.");
        feed.Start();
        var group = endpoints.MapGroup(string.Empty);
        group.AddEndpointFilter<DashboardAccess>();
        group.MapGet("/", () => Page("index.html"));
        group.MapGet("/tasks", () => Page("tasks.html"));
        group.MapGet("/assets/{name}", (string name) => DashboardPages.Asset(name) is { } text ? Results.Text(text, DashboardPages.ContentType(name)) : Results.NotFound());
        group.MapGet("/runs/{id}", (string id) =>
        {
            if (feed.Specs(id) is not { } specs)
            {
                return Results.NotFound($"No recent run '{id}'.");
            }

            try
            {
                return Results.Text(DashboardGraph.Html(id, specs), "text/html; charset=utf-8");
            }
            catch (ArgumentException ex)
            {
                return Results.Text($"The graph of run '{id}' cannot be drawn: {ex.Message}", "text/plain", statusCode: StatusCodes.Status500InternalServerError);
            }
        });
        group.MapGet("/api/runs", () => Results.Text(feed.RunsJson(), "application/json"));
        group.MapGet("/api/runs/{id}", (string id) => feed.RunJson(id) is { } json ? Results.Text(json, "application/json") : Results.NotFound());
        group.MapGet("/api/runs/{id}/datasets/{name}", (string id, string name, DatasetStore store) =>
            feed.Specs(id) is { } specs && DashboardDatasets.Describe(specs, name, store) is { } json ? Results.Text(json, "application/json") : Results.NotFound());
        group.MapGet("/api/workers", (SchedulerState state, TimeProvider time) => Results.Text(WorkersJson(state, feed, time), "application/json"));
        group.MapGet("/api/store", (DatasetStore store) => Results.Text(StoreJson(store), "application/json"));
        // Prometheus' text format, for scrapers and autoscalers (KEDA, a Prometheus adapter): workers, runs, ready nodes, store bytes.
        group.MapGet("/metrics", (SchedulerMetrics metrics) => Results.Text(metrics.ToPrometheusText(), "text/plain; version=0.0.4; charset=utf-8"));
        group.MapGet("/api/events", (HttpContext http, IHostApplicationLifetime lifetime, string? run, int? executions) => StreamAsync(http, lifetime, feed, run, executions is 1));
        return group;
    }

    /// <summary>How long a page's stream gathers changes before its next write.</summary>
    private static readonly TimeSpan FrameBatchInterval = TimeSpan.FromMilliseconds(50);

    private static IResult Page(string name) => Results.Text(DashboardPages.Asset(name)!, "text/html; charset=utf-8");

    private static async Task StreamAsync(HttpContext http, IHostApplicationLifetime lifetime, DashboardFeed feed, string? run, bool withExecutions)
    {
        // Open pages must not hold up the scheduler's shutdown: the stream ends when the app starts stopping.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        var reader = feed.Connect(run, withExecutions, out var disconnect);
        try
        {
            var cancellationToken = stopping.Token;
            var body = http.Response.BodyWriter;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Every frame waiting goes out in one write and one flush, at most 20 times a second: a busy run's
                // thousands of changes a second cost a page a few socket writes, not one each (the scheduler's cores
                // are the nodes' too).
                while (reader.TryRead(out var frame))
                {
                    Encoding.UTF8.GetBytes(frame, body);
                }

                await body.FlushAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(FrameBatchInterval, TimeProvider.System, cancellationToken).ConfigureAwait(false); // pacing a real socket: the system clock
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The page closed, or the scheduler is stopping.
        }
        finally
        {
            disconnect();
        }
    }

    private static string WorkersJson(SchedulerState state, DashboardFeed feed, TimeProvider time)
    {
        var now = time.GetUtcNow();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var worker in state.Workers())
            {
                w.WriteStartObject();
                w.WriteString("id", worker.Id);
                w.WriteNumber("slots", worker.Slots);
                w.WriteNumber("busy", worker.Busy);
                w.WriteBoolean("leaving", worker.Leaving);
                w.WriteNumber("nodesRun", feed.NodesRun(worker.Id));
                w.WriteNumber("heartbeatAgeSeconds", Math.Round(Math.Max(0, (now - worker.LastSeen).TotalSeconds), 1));
                w.WriteNumber("memoryBytes", worker.MemoryBytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string StoreJson(DatasetStore store)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("memoryBytes", store.MemoryBytes);
            w.WriteNumber("memoryLimitBytes", store.MaxMemoryBytes);
            w.WriteNumber("spilledBytes", store.SpilledBytes);
            w.WriteNumber("totalBytes", store.TotalBytes);
            w.WriteNumber("datasets", store.Count);
            w.WriteStartArray("largest");
            foreach (var (name, bytes, inMemory) in store.Largest(10))
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteNumber("bytes", bytes);
                w.WriteString("where", inMemory ? "memory" : "spilled");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
