using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;

namespace PipelineRunner.Distributed.Tests.Dashboard;

/// <summary>The dashboard over plain HTTP: its access rule, its event stream and its JSON.</summary>
public sealed class DashboardHttpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WithAnAccessToken_EveryPageAssetStreamAndJsonAnswers401WithoutIt_TheHealthEndpointsStayOpen_AndATokenOnceSetsACookie()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { DashboardPort = 0, AccessToken = "s3cret" });
        var dashboard = scheduler.DashboardAddress!;
        using var anonymous = new HttpClient { BaseAddress = dashboard };
        foreach (var path in new[] { "/", "/tasks", "/runs/x", "/assets/dashboard.js", "/api/runs", "/api/runs/x", "/api/workers", "/api/store", "/api/events", "/metrics", "/?token=wrong" })
        {
            using var response = await anonymous.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(Timeout);
            Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, path);
            Assert.DoesNotContain("memoryBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("Healthy", await anonymous.GetStringAsync(new Uri("/healthz/ready", UriKind.Relative)).WaitAsync(Timeout));

        using (var bearer = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/store", UriKind.Relative)))
        {
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
            using var response = await anonymous.SendAsync(bearer).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = dashboard };
        using (var first = await browser.GetAsync(new Uri("/?token=s3cret", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Contains("httponly", string.Join(";", first.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
            Assert.Contains("<title>PipelineRunner dashboard</title>", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var then = await browser.GetAsync(new Uri("/api/runs", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, then.StatusCode); // the cookie alone
        Assert.Equal("[]", await then.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnOpenEventStream_DoesNotHoldUpTheSchedulersShutdown()
    {
        var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { DashboardPort = 0 });
        using var http = new HttpClient { BaseAddress = scheduler.DashboardAddress };
        using var stream = await http.GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("snapshot", (await ReadFrameAsync(reader)).Name);

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await scheduler.DisposeAsync();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(3), $"Stopping took {stopping.Elapsed}.");
        Assert.Null(await reader.ReadLineAsync().WaitAsync(Timeout)); // and the page's stream ended
    }

    [Fact]
    public async Task SchedulerServer_ServesNoDashboard_UnlessAskedFor()
    {
        await using var scheduler = await SchedulerServer.StartAsync();
        Assert.Null(scheduler.DashboardAddress);
    }

    [Fact]
    public void TheSchedulerCommand_ServesTheDashboardOn8787ByDefault_ElsewhereWithDashboardPort_AndNotAtAllWithNoDashboard()
    {
        Assert.Equal(8787, SchedulerCommandLine.SchedulerOptionsFrom(_ => null).DashboardPort);
        Assert.Equal(0, SchedulerCommandLine.SchedulerOptionsFrom(name => name == "--dashboard-port" ? "0" : null).DashboardPort);
        Assert.Null(SchedulerCommandLine.SchedulerOptionsFrom(name => name == "--no-dashboard" ? string.Empty : null).DashboardPort);
        Assert.Throws<ArgumentException>(() => SchedulerCommandLine.SchedulerOptionsFrom(name => name == "--dashboard-port" ? "http" : null));
    }

    [Fact]
    public async Task TheEventStream_SendsASnapshotThenEachNodesChanges_AndTheJsonEndpointsDescribeTheRunWorkersAndStore()
    {
        var options = new DistributedRunnerOptions { LocalWorkers = 2 };
        options.LocalScheduler.DashboardPort = 0;
        await using var runner = new DistributedRunner(options);
        await runner.StartAsync();
        using var http = new HttpClient { BaseAddress = runner.DashboardAddress, Timeout = Timeout };

        using var stream = await http.GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var (name, snapshot) = await ReadFrameAsync(reader);
        Assert.Equal("snapshot", name);
        Assert.Empty(snapshot.GetProperty("runs").EnumerateArray());

        var catalog = new DataCatalog();
        catalog.AddValues([new("chain_input", 1)]);
        var outputs = await runner.RunAsync(SharedPipelines.Chain(3), catalog).WaitAsync(Timeout);
        Assert.Equal(4, outputs["chain_3"]);

        (name, var run) = await ReadFrameAsync(reader);
        Assert.Equal("run", name);
        Assert.Equal(3, run.GetProperty("nodes").GetInt32());
        var runId = run.GetProperty("id").GetString()!;
        var transitions = new List<(string Node, string State)>();
        while (transitions.Count(t => t.State == "done") < 3)
        {
            (name, var change) = await ReadFrameAsync(reader);
            Assert.Equal("node", name);
            Assert.Equal(runId, change.GetProperty("run").GetString());
            transitions.Add((change.GetProperty("node").GetString()!, change.GetProperty("state").GetString()!));
        }

        Assert.Equal(["ready", "running", "done"], transitions.Where(t => t.Node == "inc002").Select(t => t.State));

        using var runs = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/runs", UriKind.Relative)));
        var only = Assert.Single(runs.RootElement.EnumerateArray());
        Assert.Equal("succeeded", only.GetProperty("outcome").GetString());
        Assert.Equal(3, only.GetProperty("counts").GetProperty("done").GetInt32());

        using var detail = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/runs/" + runId, UriKind.Relative)));
        var second = detail.RootElement.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == "inc002");
        Assert.Equal(["chain_1"], second.GetProperty("inputs").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(["chain_2"], second.GetProperty("outputs").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(1, second.GetProperty("attempts").GetInt32());
        Assert.StartsWith("local-", second.GetProperty("worker").GetString(), StringComparison.Ordinal);

        using var dataset = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/runs/{runId}/datasets/chain_2", UriKind.Relative)));
        Assert.Equal("store", dataset.RootElement.GetProperty("lives").GetString());
        Assert.Equal(["inc002"], dataset.RootElement.GetProperty("writtenBy").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["inc003"], dataset.RootElement.GetProperty("readBy").EnumerateArray().Select(e => e.GetString()));
        using (var missing = await http.GetAsync(new Uri($"/api/runs/{runId}/datasets/nope", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using var workers = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/workers", UriKind.Relative)));
        Assert.Equal(2, workers.RootElement.GetArrayLength());
        Assert.Equal(3, workers.RootElement.EnumerateArray().Sum(w => w.GetProperty("nodesRun").GetInt32()));

        using var store = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/store", UriKind.Relative)));
        Assert.True(store.RootElement.GetProperty("memoryLimitBytes").GetInt64() > 0);
        Assert.True(store.RootElement.TryGetProperty("spilledBytes", out _));
        Assert.Equal(JsonValueKind.Array, store.RootElement.GetProperty("largest").ValueKind);

        var graph = await http.GetStringAsync(new Uri("/runs/" + runId, UriKind.Relative));
        Assert.Contains("<svg class=\"pipeline\"", graph, StringComparison.Ordinal);
        Assert.Equal(3, graph.Split("class=\"v task\"").Length - 1);
        Assert.Contains("/assets/graph.js", graph, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", graph.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal); // nothing fetched from elsewhere
    }

    /// <summary>Reads one Server-Sent Events frame: its event name and its JSON data.</summary>
    private static async Task<(string Name, JsonElement Data)> ReadFrameAsync(StreamReader reader)
    {
        string? name = null, data = null;
        while (true)
        {
            var line = await reader.ReadLineAsync().WaitAsync(Timeout) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0 && name is not null && data is not null)
            {
                using var document = JsonDocument.Parse(data);
                return (name, document.RootElement.Clone());
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }
    }

    [Fact]
    public async Task Metrics_AreServedInPrometheusTextFormat_ForScrapersAndAutoscalers()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { DashboardPort = 0, MaxStoreMemoryBytes = 1 << 20 });
        using var http = new HttpClient { BaseAddress = scheduler.DashboardAddress };

        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative)).WaitAsync(Timeout);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("# TYPE pipelinerunner_scheduler_ready_nodes gauge\npipelinerunner_scheduler_ready_nodes 0\n", text, StringComparison.Ordinal);
        Assert.Contains("pipelinerunner_scheduler_workers 0\n", text, StringComparison.Ordinal);
        Assert.Contains("pipelinerunner_store_memory_limit_bytes 1048576\n", text, StringComparison.Ordinal);
        Assert.Contains("# HELP pipelinerunner_store_spilled_bytes Bytes of dataset values the store spilled to disk.\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workers_ShowTheirMemory_FromTheirHeartbeats()
    {
        await using var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { DashboardPort = 0 });
        using var stop = new CancellationTokenSource();
        var worker = new PipelineRunner.Distributed.Workers.PipelineWorker(
            new PipelineRunner.Distributed.Workers.WorkerOptions { SchedulerAddress = scheduler.Address, WorkerId = "w1", HeartbeatInterval = TimeSpan.FromMilliseconds(100) },
            new PipelineRunner.Distributed.Workers.PipelineNodeResolver(SharedPipelines.All()));
        var serving = worker.RunAsync(stop.Token);
        using var http = new HttpClient { BaseAddress = scheduler.DashboardAddress };

        long memory = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (memory == 0 && DateTime.UtcNow < deadline)
        {
            using var workers = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/workers", UriKind.Relative)));
            memory = workers.RootElement.EnumerateArray().Where(w => w.GetProperty("id").GetString() == "w1").Select(w => w.GetProperty("memoryBytes").GetInt64()).FirstOrDefault();
            await Task.Delay(50);
        }

        Assert.InRange(memory, 1L << 20, 1L << 40); // this process's working set: more than a megabyte
        await stop.CancelAsync();
        await serving;
    }
}
