using Microsoft.Extensions.Logging;
using PipelineRunner.Hooks;

namespace Spaceflights;

/// <summary>A Kedro-style hook: after a run, reports the evaluation metrics each modelling pipeline saved.</summary>
public sealed partial class MetricsReportHook(ILogger<MetricsReportHook> logger) : IRunHook
{
    private static readonly string[] Namespaces = ["active_modelling_pipeline", "candidate_modelling_pipeline"];

    public async ValueTask AfterPipelineRunAsync(PipelineRunInfo run, IReadOnlyDictionary<string, object?> result, CancellationToken cancellationToken)
    {
        foreach (var ns in Namespaces)
        {
            var name = $"{ns}.metrics";
            if (run.Pipeline.AllOutputs().Contains(name) && await run.Catalog.ExistsAsync(name, cancellationToken))
            {
                var metrics = await run.Catalog.LoadAsync<Metrics>(name, cancellationToken);
                Log.Metrics(logger, ns, metrics.R2, metrics.MeanAbsoluteError, metrics.RootMeanSquaredError, metrics.TrainRows, metrics.TestRows);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Pipeline}: R2={R2:0.0000}, MAE={Mae:0.00}, RMSE={Rmse:0.00} (train {Train}, test {Test})")]
        public static partial void Metrics(ILogger logger, string pipeline, double r2, double mae, double rmse, int train, int test);
    }
}
