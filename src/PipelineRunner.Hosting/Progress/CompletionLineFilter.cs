using Microsoft.Extensions.Logging;

namespace PipelineRunner.Hosting.Progress;

/// <summary>
/// The app's logger factory for the runners it creates, without the runner's own completion line ("Pipeline execution
/// completed successfully in N sec."): the run command ends with its summary, whose first line says the same with the
/// nodes run and skipped, so a run has one completion line.
/// </summary>
internal sealed class CompletionLineFilter(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>The name of the runners' completion event (<c>PipelineRunner.Runners.Internal.RunnerLog.RunCompleted</c>).</summary>
    private const string RunCompleted = "RunCompleted";

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public ILogger CreateLogger(string categoryName) => new Filtered(inner.CreateLogger(categoryName));

    public void Dispose()
    {
        // The factory belongs to the app.
    }

    private sealed class Filtered(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name != RunCompleted)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
