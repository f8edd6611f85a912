using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PipelineRunner.Distributed.Tests;

/// <summary>Collects log messages in memory, for tests that assert what a server logged.</summary>
internal sealed class StringWriterLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public int Count(string text) => _lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    public override string ToString() => string.Join("\n", _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(StringWriterLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider._lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
