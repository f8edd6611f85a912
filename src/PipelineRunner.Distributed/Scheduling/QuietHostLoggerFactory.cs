using Microsoft.Extensions.Logging;

namespace PipelineRunner.Distributed.Scheduling;

/// <summary>
/// The user's logger factory for the scheduler's web host, with the host's own (Microsoft.*, Grpc.*) chatter held to
/// warnings: a scheduler logs a request per node, which would drown the run's own messages.
/// </summary>
internal sealed class QuietHostLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) || categoryName.StartsWith("Grpc.", StringComparison.Ordinal)
            ? new WarningsOnly(logger)
            : logger;
    }

    public void Dispose()
    {
        // The factory belongs to the caller.
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
