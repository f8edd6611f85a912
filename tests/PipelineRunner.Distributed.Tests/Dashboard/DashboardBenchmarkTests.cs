using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using Xunit.Abstractions;

namespace PipelineRunner.Distributed.Tests.Dashboard;

/// <summary>
/// What the dashboard costs in the browser on a 1,000-node run: time to first render of the graph page and the cost
/// of each live update. Runs with <c>PIPELINERUNNER_DASHBOARD_BENCH=1</c> (numbers in docs/benchmarks.md, "Dashboard").
/// </summary>
public sealed class DashboardBenchmarkTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [ChromiumFact]
    public Task AThousandNodeRun_RendersItsGraph_AndAppliesEachLiveUpdate_Quickly() => MeasureAsync(chains: 20, length: 50);

    [ChromiumFact]
    public Task ATenThousandNodeRun_RendersCollapsedByNamespace() => MeasureAsync(chains: 100, length: 100);

    /// <summary>Chains of <paramref name="length"/> nodes, one namespace each, behind one gated node.</summary>
    private async Task MeasureAsync(int chains, int length)
    {
        if (Environment.GetEnvironmentVariable("PIPELINERUNNER_DASHBOARD_BENCH") != "1")
        {
            output.WriteLine("Set PIPELINERUNNER_DASHBOARD_BENCH=1 to measure.");
            return;
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var nodes = new List<Node> { Node.Create(async (int x) => { await gate.Task; return x; }, "seed", "start", name: "gate") };
        for (var chain = 0; chain < chains; chain++)
        {
            for (var i = 0; i < length; i++)
            {
                nodes.Add(Node.Create(
                    (int v) => v + 1,
                    i == 0 ? "start" : $"c{chain}_{i - 1}",
                    $"c{chain}_{i}",
                    name: $"step{i:D2}",
                    @namespace: $"chain{chain:D3}"));
            }
        }

        var options = new DistributedRunnerOptions { LocalWorkers = 2 };
        options.LocalScheduler.DashboardPort = 0;
        await using var runner = new DistributedRunner(options);
        await runner.StartAsync();
        var dashboard = runner.DashboardAddress!;
        var catalog = new DataCatalog();
        catalog.AddValues([new("seed", 1)]);
        var run = runner.RunAsync(new Pipeline(nodes), catalog);
        try
        {
            using var http = new HttpClient { BaseAddress = dashboard };
            string? runId = null;
            while (runId is null)
            {
                runId = (string?)(await http.GetFromJsonAsync<JsonArray>(new Uri("/api/runs", UriKind.Relative)))?.FirstOrDefault()?["id"];
                await Task.Delay(20);
            }

            var page = new Uri(dashboard, "/runs/" + runId);
            var server = Stopwatch.StartNew();
            var html = await http.GetStringAsync(page);
            server.Stop();
            await using var browser = await Chromium.StartAsync();
            await browser.NavigateAsync(new Uri(dashboard, "/")); // warm the browser and the shared assets
            await browser.NavigateAsync(page);
            await browser.WaitForAsync("document.body.dataset.ready === 'true'", Timeout);
            var first = (await browser.EvaluateAsync("JSON.stringify(window.dashStats)"))!.GetValue<string>();
            var collapsed = (await browser.EvaluateAsync("document.querySelectorAll('svg.pipeline g.ns.collapsed').length"))!.GetValue<int>();
            gate.SetResult();
            await run.WaitAsync(Timeout);
            await browser.WaitForAsync("document.getElementById('summary').dataset.outcome === 'succeeded'", Timeout);
            var stats = JsonNode.Parse((await browser.EvaluateAsync("JSON.stringify(window.dashStats)"))!.GetValue<string>())!;
            var updates = (int)stats["updates"]!;
            var perUpdate = (double)stats["updateMs"]! / Math.Max(1, updates);
            var firstStats = JsonNode.Parse(first)!;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"nodes {(int)firstStats["nodes"]!}, {collapsed} namespaces collapsed; server page {server.Elapsed.TotalMilliseconds:F0} ms ({html.Length / 1024} KB); first render {(double)firstStats["sinceNavigationMs"]!:F0} ms since navigation (script {(double)firstStats["firstRenderMs"]!:F0} ms); {updates} updates, {perUpdate:F3} ms each"));
            Assert.Equal((chains * length) + 1, (int)firstStats["nodes"]!);
            Assert.Equal(nodes.Count >= 2000 ? chains : 0, collapsed);
            Assert.True(updates >= 2 * chains * length, $"{updates} updates");
        }
        finally
        {
            gate.TrySetResult();
            await run.WaitAsync(Timeout);
        }
    }
}
