using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PipelineRunner.Catalog;
using PipelineRunner.Hooks;
using PipelineRunner.Pipelines;

namespace PipelineRunner.Hosting.Tests;

/// <summary>
/// A project folder (conf/base, conf/local, conf/prod) and an app over it, run in-process with captured output.
/// The pipeline: numbers = 1..count; squares; total = sum(squares) + offset (persisted as JSON); and a namespaced
/// modular pipeline scaling the numbers.
/// </summary>
internal sealed class TestProject : IDisposable
{
    public TestProject()
    {
        Write("conf/base/catalog.yml", """
            numbers:
              type: JsonDataset
              filepath: data/numbers.json
            total:
              type: JsonDataset
              filepath: data/total.json
            """);
        Write("conf/base/parameters.yml", """
            count: 3
            offset: 0
            extra:
              factor: 2
            """);
        Write("conf/local/parameters.yml", "offset: 10\n");
        Write("conf/prod/parameters_prod.yml", "offset: 100\n");
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "pr-host-" + Guid.NewGuid().ToString("N"));

    public RecordingHook Hook { get; } = new();

    public static Pipeline CreatePipeline() =>
        new Pipeline([
            Node.Create((long count) => Enumerable.Range(1, (int)count).Select(i => (long)i).ToArray(), "params:count", "numbers", name: "make_numbers"),
            Node.Create((long[] numbers) => numbers.Select(n => n * n).ToArray(), "numbers", "squares", name: "square", tags: ["calc"]),
            Node.Create((long[] squares, long offset) => squares.Sum() + offset, new[] { "squares", "params:offset" }, "total", name: "total", tags: ["report"]),
        ])
        + Pipelines.Pipeline.Create(
            new Pipeline([Node.Create((long[] numbers, long factor) => numbers.Select(n => n * factor).ToArray(), new[] { "numbers", "params:factor" }, "scaled", name: "scale")]),
            inputs: "numbers",
            @namespace: "extra");

    public void Write(string relativePath, string text)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public string? ReadTotal() => File.Exists(Path.Combine(Directory, "data", "total.json")) ? File.ReadAllText(Path.Combine(Directory, "data", "total.json")).Trim() : null;

    /// <summary>Runs the app with <paramref name="args"/>; <paramref name="configure"/> adds configuration or services first.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, Action<PipelineRunnerAppBuilder>? configure = null, Pipeline? pipeline = null, CancellationToken stop = default)
    {
        var builder = PipelineRunnerApp.CreateBuilder(args);
        builder.Logging.ClearProviders();
        builder.Configuration["PipelineRunner:ProjectDirectory"] = Directory;
        var output = new StringWriter();
        var error = new StringWriter();
        builder.Output = output;
        builder.Error = error;
        builder.Pipelines.AddPipeline("math", pipeline ?? CreatePipeline());
        builder.Services.AddSingleton<IRunHook>(Hook);
        configure?.Invoke(builder);
        await using var app = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var code = await app.RunAsync(timeout.Token);
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>Records what the runs did, as hooks see it.</summary>
internal sealed class RecordingHook : IRunHook
{
    private readonly List<string> _nodes = [];

    public List<string> Runners { get; } = [];

    public List<bool> AsyncFlags { get; } = [];

    public IReadOnlyList<string> Nodes
    {
        get
        {
            lock (_nodes)
            {
                return _nodes.Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    public void Clear()
    {
        lock (_nodes)
        {
            _nodes.Clear();
        }

        Runners.Clear();
        AsyncFlags.Clear();
    }

    public ValueTask BeforePipelineRunAsync(PipelineRunInfo run, CancellationToken cancellationToken)
    {
        Runners.Add(run.RunnerName);
        return default;
    }

    public ValueTask AfterNodeRunAsync(NodeRunInfo node, IReadOnlyDictionary<string, object?> outputs, CancellationToken cancellationToken)
    {
        lock (_nodes)
        {
            _nodes.Add(node.Node.Name);
            AsyncFlags.Add(node.IsAsync);
        }

        return default;
    }
}
