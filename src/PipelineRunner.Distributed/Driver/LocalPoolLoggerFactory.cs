using Microsoft.Extensions.Logging;

namespace PipelineRunner.Distributed;

/// <summary>
/// The user's logger factory for the in-process pool's scheduler and workers, with their information messages
/// (workers joining and leaving, runs submitted) and the workers' node failures (which the driver reports itself, once)
/// logged at Debug: in-process they are the runner's plumbing, and the run's own messages are what the user reads.
/// </summary>
internal sealed class LocalPoolLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public ILogger CreateLogger(string categoryName) => new Demoted(inner.CreateLogger(categoryName));

    public void Dispose()
    {
        // The factory belongs to the caller.
    }

    private static LogLevel Demote(LogLevel level, EventId eventId) =>
        level == LogLevel.Information || eventId.Id == Workers.PipelineWorker.NodeFailedEventId ? LogLevel.Debug : level;

    private sealed class Demoted(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        // Whether the message could be written at its level or at Debug; the inner logger filters the demoted level.
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel) || inner.IsEnabled(LogLevel.Debug);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(Demote(logLevel, eventId), eventId, state, exception, formatter);
    }
}
