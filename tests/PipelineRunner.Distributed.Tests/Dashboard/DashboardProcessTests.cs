using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PipelineRunner.Catalog;
using PipelineRunner.Distributed.TestApp;

namespace PipelineRunner.Distributed.Tests.Dashboard;

/// <summary>The dashboard of the <c>pipeline-runner scheduler</c> tool, with a token, following a run on a worker process.</summary>
public sealed class DashboardProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheToolsScheduler_PrintsItsDashboard_WhichFollowsARunOnAWorkerProcess_AndShowsNothingWithoutTheToken()
    {
        const string Token = "dashboard-token";
        var environment = new Dictionary<string, string> { ["PIPELINERUNNER_ACCESS_TOKEN"] = Token };
        await using var scheduler = ChildProcess.StartApp("PipelineRunner.Tool.dll", environment, "scheduler", "--dashboard-port", "0");
        var address = new Uri((await scheduler.WaitForLineAsync("scheduler listening on ", Timeout))["scheduler listening on ".Length..]);
        var dashboard = new Uri((await scheduler.WaitForLineAsync("dashboard at ", Timeout))["dashboard at ".Length..]);
        Assert.NotEqual(address.Port, dashboard.Port);
        await using var worker = ChildProcess.StartApp("PipelineRunner.Distributed.TestApp.dll", environment, "worker", "--scheduler", address.ToString(), "--id", "w1");
        await worker.WaitForLineAsync("worker ", Timeout);

        var options = new DistributedRunnerOptions { SchedulerAddress = address };
        options.Security.AccessToken = Token;
        await using (var runner = new DistributedRunner(options))
        {
            var catalog = new DataCatalog();
            catalog.AddValues([new("chain_input", 0)]);
            Assert.Equal(5, (await runner.RunAsync(SharedPipelines.Chain(5), catalog).WaitAsync(Timeout))["chain_5"]);
        }

        using var http = new HttpClient { BaseAddress = dashboard };
        using (var refused = await http.GetAsync(new Uri("/api/runs", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var runs = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/runs", UriKind.Relative)).WaitAsync(Timeout));
        var run = Assert.Single(runs.RootElement.EnumerateArray());
        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        Assert.Equal(5, run.GetProperty("counts").GetProperty("done").GetInt32());
        using var workers = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/workers", UriKind.Relative)).WaitAsync(Timeout));
        var w1 = Assert.Single(workers.RootElement.EnumerateArray());
        Assert.Equal(("w1", 5), (w1.GetProperty("id").GetString(), w1.GetProperty("nodesRun").GetInt32()));
        var graph = await http.GetStringAsync(new Uri("/runs/" + run.GetProperty("id").GetString(), UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(5, graph.Split("class=\"v task\"").Length - 1);
    }
}
