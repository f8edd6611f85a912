using System.Diagnostics;
using System.Globalization;
using PipelineRunner.Runners;

namespace PipelineRunner.Hosting.Progress;

/// <summary>
/// A live status line for interactive terminals: nodes done of total, the nodes running now and the elapsed time,
/// redrawn in place a few times a second.
/// </summary>
internal sealed class LiveProgressDisplay : IProgress<NodeProgress>, IDisposable
{
    private const int Width = 100;
    private readonly TextWriter _writer;
    private readonly int _total;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly SortedSet<string> _running = new(StringComparer.Ordinal);
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private int _completed;
    private int _failed;
    private bool _finished;

    private static int s_drawing;

    /// <summary>Whether a live status line is on the terminal now (log lines clear it first).</summary>
    public static bool IsDrawing => Volatile.Read(ref s_drawing) > 0;

    public LiveProgressDisplay(TextWriter writer, int total, TimeSpan? interval = null)
    {
        Interlocked.Increment(ref s_drawing);
        _writer = writer;
        _total = total;
        var period = interval ?? TimeSpan.FromMilliseconds(200);
        _timer = new Timer(_ => Draw(), null, period, period);
    }

    /// <summary>Whether <paramref name="mode"/> asks for the live line here: always for Live; for Auto when neither output is redirected.</summary>
    public static bool IsWanted(ProgressMode mode) => mode switch
    {
        ProgressMode.Live => true,
        ProgressMode.Log => false,
        _ => !Console.IsOutputRedirected && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb",
    };

    /// <summary>The status line as it is drawn now.</summary>
    public string Status
    {
        get
        {
            lock (_gate)
            {
                return BuildStatus();
            }
        }
    }

    public void Report(NodeProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            switch (value.Kind)
            {
                case NodeProgressKind.Started:
                    _running.Add(value.NodeName);
                    break;
                case NodeProgressKind.Completed:
                    _running.Remove(value.NodeName);
                    _completed = Math.Max(_completed, value.CompletedCount);
                    break;
                case NodeProgressKind.Failed:
                    _running.Remove(value.NodeName);
                    _failed++;
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Draws the final line and stops redrawing.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            // Checked and written under one lock: a timer tick can never draw after the final line.
            _finished = true;
            Write(BuildStatus() + Environment.NewLine);
            Interlocked.Decrement(ref s_drawing);
        }

        _timer.Change(Timeout.Infinite, Timeout.Infinite);
    }

    public void Dispose()
    {
        Complete();
        _timer.Dispose();
    }

    private void Draw()
    {
        lock (_gate)
        {
            if (!_finished)
            {
                Write(BuildStatus());
            }
        }
    }

    private string BuildStatus()
    {
        var done = _total == 0 ? 1.0 : (double)_completed / _total;
        var bar = new string('#', (int)(done * 20)).PadRight(20, '-');
        var running = _running.Count == 0 ? string.Empty : $" running: {string.Join(", ", _running)}";
        var failed = _failed > 0 ? $", {_failed} failed" : string.Empty;
        var line = string.Create(CultureInfo.InvariantCulture, $"[{bar}] {_completed}/{_total} nodes{failed} {_elapsed.Elapsed:hh\\:mm\\:ss}{running}");
        return line.Length > Width ? line[..(Width - 1)] + "…" : line;
    }

    private void Write(string line)
    {
        // Carriage return, then clear the line: the status redraws in place.
        _writer.Write("\r\u001b[2K" + line);
        _writer.Flush();
    }
}
