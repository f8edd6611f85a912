using Microsoft.Extensions.Logging;

namespace PipelineRunner.Catalog.Internal;

internal static partial class CatalogLog
{
    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Replacing dataset '{DatasetName}'")]
    public static partial void ReplacingDataset(ILogger logger, string datasetName);
}
