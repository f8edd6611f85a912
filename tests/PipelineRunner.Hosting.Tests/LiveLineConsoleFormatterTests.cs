using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PipelineRunner.Hosting.Progress;

namespace PipelineRunner.Hosting.Tests;

/// <summary>The tests that draw a live progress line: whether one is drawn is the process's, so they do not run at once.</summary>
[CollectionDefinition(Collection)]
public sealed class LiveLine
{
    public const string Collection = "live progress line";
}

/// <summary>Log lines and the live progress line share the terminal without one being glued onto the other.</summary>
[Collection(LiveLine.Collection)]
public sealed class LiveLineConsoleFormatterTests
{
    private static string Format(string message, LogLevel level = LogLevel.Information, Exception? exception = null)
    {
        var writer = new StringWriter();
        var entry = new LogEntry<string>(level, "PipelineRunner.Test", new EventId(7), message, exception, (s, _) => s);
        new LiveLineConsoleFormatter().Write(entry, null, writer);
        return writer.ToString();
    }

    [Fact]
    public void WhileALiveLineIsDrawn_ALogLineFirstClearsIt()
    {
        var terminal = new StringWriter();
        using (var live = new LiveProgressDisplay(terminal, 3, TimeSpan.FromHours(1)))
        {
            Assert.Matches(@"^\r\u001b\[2K\d\d:\d\d:\d\d info: PipelineRunner.Test\[7\] hello" + Environment.NewLine + "$", Format("hello"));
        }

        Assert.Matches(@"^\d\d:\d\d:\d\d info: PipelineRunner.Test\[7\] hello" + Environment.NewLine + "$", Format("hello"));
    }

    [Fact]
    public void EveryMessage_IsOneLine_WithItsLevel()
    {
        var line = Format("two\nlines", LogLevel.Warning, new InvalidOperationException("boom"));

        Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("warn: PipelineRunner.Test[7] two lines System.InvalidOperationException: boom", line, StringComparison.Ordinal);
    }
}
