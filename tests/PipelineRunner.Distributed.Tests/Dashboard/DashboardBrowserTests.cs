using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using PipelineRunner.Catalog;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Distributed.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's headless <c>chromium</c>, over the DevTools protocol) during a real run
/// on the local pool: the graph shows every node with its final state, a failed node's error on click, and live
/// changes while the page is open. Screenshots go to <c>docs/images/</c> when <c>PIPELINERUNNER_SCREENSHOTS=1</c>
/// (else to a temporary folder). Skipped, visibly, where chromium is not installed.
/// </summary>
public sealed class DashboardBrowserTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [ChromiumFact]
    public async Task DuringARun_TheGraphTurnsANodeRunningThenDone_ShowsEveryNodesFinalState_AndAFailedNodesErrorOnClick()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new Pipeline([
            Node.Create((int seed) => seed + 1, "seed", "a", name: "load"),
            Node.Create((int a) => a * 2, "a", "b", name: "clean", tags: ["features"], @namespace: "prep"),
            Node.Create((int b) => b + 3, "b", "c", name: "features", tags: ["features"], @namespace: "prep"),
            Node.Create(async (int c) => { await gate.Task; return c + 1; }, "c", "d", name: "hold"),
            Node.Create((int d) => d.ToString(System.Globalization.CultureInfo.InvariantCulture), "d", "report_text", name: "report"),
            Node.Create(Explode, "a", "z", name: "boom"),
            Node.Create((int z) => z, "z", "y", name: "after_boom"),
        ]);
        var options = new DistributedRunnerOptions { LocalWorkers = 2, FailurePolicy = NodeFailurePolicy.ContinueIndependentNodes };
        options.LocalScheduler.DashboardPort = 0;
        await using var runner = new DistributedRunner(options);
        await runner.StartAsync();
        var dashboard = runner.DashboardAddress!;
        var catalog = new DataCatalog();
        catalog.AddValues([new("seed", 1)]);
        var run = runner.RunAsync(pipeline, catalog);
        try
        {
            var runId = await RunIdAsync(dashboard);
            await using var browser = await Chromium.StartAsync();
            await browser.NavigateAsync(new Uri(dashboard, "/runs/" + runId));
            await browser.WaitForAsync("document.body.dataset.ready === 'true'", Timeout);
            Assert.Equal(7, (await browser.EvaluateAsync("document.querySelectorAll('svg.pipeline g.v.task').length"))!.GetValue<int>());
            await browser.WaitForAsync(StateIs("hold", "running"), Timeout); // live: the page was open before it started
            Assert.NotEqual("done", (string?)await browser.EvaluateAsync(State("report")));

            gate.SetResult();
            await browser.WaitForAsync(StateIs("report", "done"), Timeout); // and the change arrives without reloading
            await Assert.ThrowsAnyAsync<Exception>(() => run.WaitAsync(Timeout));
            await browser.WaitForAsync("document.getElementById('summary').dataset.outcome === 'failed'", Timeout);

            var states = (await browser.EvaluateAsync(
                "Object.fromEntries([...document.querySelectorAll('svg.pipeline g.v.task')].map(g => [g.querySelector('text').textContent, g.dataset.state]))"))!.AsObject();
            Assert.Equal(
                new Dictionary<string, string>
                {
                    ["load"] = "done", ["prep.clean"] = "done", ["prep.features"] = "done", ["hold"] = "done", ["report"] = "done",
                    ["boom"] = "failed", ["after_boom"] = "skipped",
                },
                states.ToDictionary(p => p.Key, p => (string)p.Value!));

            Assert.Matches(@"\nstate: done, [0-9.]+ m?s on local-\d$", (string?)await browser.EvaluateAsync(Vertex("load") + ".querySelector('title').textContent"));
            await browser.EvaluateAsync(Vertex("boom") + ".dispatchEvent(new MouseEvent('click', { bubbles: true }))");
            var error = (string?)await browser.EvaluateAsync("document.querySelector('#details [data-field=error]').textContent");
            Assert.Contains("InvalidOperationException: the dashboard test's node failed", error, StringComparison.Ordinal);
            Assert.Contains("Explode", (string?)await browser.EvaluateAsync("document.querySelector('#details pre.stack').textContent"), StringComparison.Ordinal);
            Assert.StartsWith("local-", (string?)await browser.EvaluateAsync("document.querySelector('#details [data-field=worker]').textContent"), StringComparison.Ordinal);
            await browser.ScreenshotAsync(Screenshot("dashboard-graph.png"));

            await browser.EvaluateAsync("[...document.querySelectorAll('svg.pipeline g.v.data')].find(g => g.querySelector('text').textContent === 'report_text').dispatchEvent(new MouseEvent('click', { bubbles: true }))");
            await browser.WaitForAsync("document.querySelector('#details h3').textContent === 'report_text' && document.querySelector('#details [data-field=\"written by\"]')", Timeout);
            Assert.Equal("report", (string?)await browser.EvaluateAsync("document.querySelector('#details [data-field=\"written by\"]').textContent"));
            Assert.Equal("store", (string?)await browser.EvaluateAsync("document.querySelector('#details [data-field=\"lives in\"]').textContent"));
            Assert.Equal("0", (string?)await browser.EvaluateAsync("document.querySelector('#details [data-field=\"load count\"]').textContent")); // the run is over: nobody has yet to load it

            await browser.EvaluateAsync("document.querySelector('#tags button[data-tag=features]').click()");
            Assert.Equal(
                ["after_boom", "boom", "hold", "load", "report"],
                (await browser.EvaluateAsync("[...document.querySelectorAll('svg.pipeline g.v.task.dimmed')].map(g => g.querySelector('text').textContent).sort()"))!.AsArray().Select(n => (string)n!));

            await browser.NavigateAsync(dashboard);
            await browser.WaitForAsync("document.querySelector('#runs tbody tr') && document.querySelectorAll('#workers tbody tr').length === 2", Timeout);
            Assert.Equal("failed", (string?)await browser.EvaluateAsync("document.querySelector('#runs tbody tr').dataset.outcome"));
            await browser.ScreenshotAsync(Screenshot("dashboard-runs.png"));

            await browser.NavigateAsync(new Uri(dashboard, "/tasks"));
            await browser.WaitForAsync("document.querySelectorAll('svg.tasks rect').length >= 6", Timeout);
            Assert.Equal(1, (await browser.EvaluateAsync("document.querySelectorAll('svg.tasks rect.failed').length"))!.GetValue<int>());
            await browser.ScreenshotAsync(Screenshot("dashboard-tasks.png"));
        }
        finally
        {
            gate.TrySetResult();
            try
            {
                await run.WaitAsync(Timeout);
            }
            catch (PipelineRunFailedException)
            {
                // Expected: boom fails.
            }
        }
    }

    private static int Explode(int a) => throw new InvalidOperationException("the dashboard test's node failed on " + a);

    private static string Vertex(string name) =>
        $"[...document.querySelectorAll('svg.pipeline g.v.task')].find(g => g.querySelector('text').textContent === {JsonSerializer.Serialize(name)})";

    private static string State(string name) => Vertex(name) + ".dataset.state";

    private static string StateIs(string name, string state) => $"{State(name)} === {JsonSerializer.Serialize(state)}";

    private static async Task<string> RunIdAsync(Uri dashboard)
    {
        using var http = new HttpClient { BaseAddress = dashboard };
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (stopwatch.Elapsed < Timeout)
        {
            var runs = await http.GetFromJsonAsync<JsonArray>(new Uri("/api/runs", UriKind.Relative));
            if (runs is [var first, ..])
            {
                return (string)first!["id"]!;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The run did not appear on the dashboard.");
    }

    /// <summary>Where a screenshot goes: the repository's <c>docs/images/</c> with PIPELINERUNNER_SCREENSHOTS=1, else a temporary folder.</summary>
    internal static string Screenshot(string name)
    {
        if (Environment.GetEnvironmentVariable("PIPELINERUNNER_SCREENSHOTS") == "1")
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (Directory.Exists(Path.Combine(directory.FullName, "docs")) && Directory.Exists(Path.Combine(directory.FullName, "src")))
                {
                    return Path.Combine(directory.FullName, "docs", "images", name);
                }
            }
        }

        return Path.Combine(Path.GetTempPath(), "pr-dashboard-screenshots", name);
    }
}
