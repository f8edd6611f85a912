using System.Collections.Concurrent;
using System.Diagnostics;

namespace PipelineRunner.Distributed.Tests;

/// <summary>The test app as a real OS process; killed with its tree on dispose.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly SemaphoreSlim _lines = new(0);

    private ChildProcess(Process process) => _process = process;

    public string Output => string.Join("\n", _output);

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Sends a POSIX signal (TERM, STOP, CONT) to the process.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Starts the test app (a user's app: worker) with <paramref name="args"/>.</summary>
    public static ChildProcess Start(params string[] args) => StartApp("PipelineRunner.Distributed.TestApp.dll", null, args);

    /// <summary>Starts the pipeline-runner tool (the standalone scheduler) with <paramref name="args"/>.</summary>
    public static ChildProcess StartTool(params string[] args) => StartApp("PipelineRunner.Tool.dll", null, args);

    /// <summary>Starts <paramref name="dll"/> (next to the test assembly unless rooted) with extra environment variables.</summary>
    public static ChildProcess StartApp(string dll, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start("dotnet", environment, [Path.Combine(AppContext.BaseDirectory, dll), .. args]);

    /// <summary>
    /// Starts <paramref name="dll"/> as from an interactive terminal: SIGINT and SIGQUIT at their default disposition.
    /// A test run started as a background job inherits them ignored, and a process that starts with a signal ignored
    /// keeps it so (the Unix convention for background jobs, which .NET honours), so Ctrl+C could not be tested.
    /// </summary>
    public static ChildProcess StartAppAsFromATerminal(string dll, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start("/usr/bin/python3", environment, [
            "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGQUIT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
            "dotnet", Path.Combine(AppContext.BaseDirectory, dll), .. args]);

    /// <summary>Starts <paramref name="dll"/> (next to the test assembly unless rooted) in <paramref name="workingDirectory"/>.</summary>
    public static ChildProcess StartAppIn(string workingDirectory, string dll, params string[] args) =>
        Start("dotnet", null, [Path.Combine(AppContext.BaseDirectory, dll), .. args], workingDirectory);

    /// <summary>Starts an executable, such as an installed dotnet tool.</summary>
    public static ChildProcess StartExecutable(string path, params string[] args) => Start(path, null, args);

    private static ChildProcess Start(string executable, IReadOnlyDictionary<string, string>? environment, string[] args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the test app");
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for an output line starting with <paramref name="prefix"/> and returns it.</summary>
    public Task<string> WaitForLineAsync(string prefix, TimeSpan timeout) =>
        WaitForLineAsync(l => l.StartsWith(prefix, StringComparison.Ordinal), prefix, timeout);

    /// <summary>Waits for an output line containing <paramref name="text"/> and returns it.</summary>
    public Task<string> WaitForLineContainingAsync(string text, TimeSpan timeout) =>
        WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), text, timeout);

    private async Task<string> WaitForLineAsync(Func<string, bool> match, string prefix, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var line = _output.FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The test app exited with {_process.ExitCode} before printing '{prefix}':\n{Output}");
            }

            try
            {
                await _lines.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The test app did not print '{prefix}' within {timeout}:\n{Output}");
            }
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code; throws with its output on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process did not exit within {timeout}:\n{Output}");
        }

        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _process.Dispose();
        _lines.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
            _lines.Release();
        }
    }
}
