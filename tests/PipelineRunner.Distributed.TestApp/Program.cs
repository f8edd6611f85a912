// A user's app in miniature: `scheduler` hosts a standalone scheduler; `worker --scheduler URL` serves it with the
// pipelines registered in this process. Used by the functional tests as separate OS processes.
using Microsoft.Extensions.Logging;
using PipelineRunner.Distributed.Scheduling;
using PipelineRunner.Distributed.TestApp;
using PipelineRunner.Distributed.Workers;

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

switch (args.FirstOrDefault())
{
    case "scheduler":
        await using (var scheduler = await SchedulerServer.StartAsync(new SchedulerOptions { Port = int.Parse(Option("--port") ?? "0", System.Globalization.CultureInfo.InvariantCulture) }, loggerFactory))
        {
            Console.WriteLine($"scheduler listening on {scheduler.Address}");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return 0;
    case "worker":
        var address = Option("--scheduler") ?? throw new ArgumentException("worker needs --scheduler URL");
        var worker = new PipelineWorker(
            new WorkerOptions { SchedulerAddress = new Uri(address), WorkerId = Option("--id") ?? $"worker-{Environment.ProcessId}", MaxConcurrentNodes = 2 },
            new PipelineNodeResolver(SharedPipelines.All(Option("--variant") ?? "default")),
            loggerFactory);
        Console.WriteLine($"worker {worker.Id} serving {address}");
        await worker.RunAsync(stop.Token);
        return 0;
    default:
        Console.Error.WriteLine("usage: TestApp scheduler [--port N] | worker --scheduler URL [--id ID] [--variant changed]");
        return 2;
}
