using Microsoft.Extensions.Logging;

namespace PipelineRunner.Catalog.Files;

internal static partial class FileDatasetLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "Save version '{SaveVersion}' did not match load version '{LoadVersion}' for {Dataset}. This is strongly discouraged due to inconsistencies it may cause between 'save' and 'load' operations. Please refrain from setting exact load version for intermediate datasets where possible to avoid this warning.")]
    public static partial void VersionMismatch(ILogger logger, string saveVersion, string loadVersion, string dataset);
}
