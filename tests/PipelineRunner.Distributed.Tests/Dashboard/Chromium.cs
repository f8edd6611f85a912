using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PipelineRunner.Distributed.Tests.Dashboard;

/// <summary>
/// Debian's headless <c>chromium</c> driven over the DevTools protocol (a WebSocket): navigate, evaluate script,
/// click, take screenshots. Killed on dispose.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private Chromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The chromium executable on the PATH, or null.</summary>
    public static string? Executable { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(d => new[] { Path.Combine(d, "chromium"), Path.Combine(d, "chromium-browser") })
            .FirstOrDefault(File.Exists);

    public static async Task<Chromium> StartAsync(int width = 1400, int height = 900)
    {
        var profile = Path.Combine(Path.GetTempPath(), "pr-chromium-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("chromium is required (PIPELINERUNNER_REQUIRE_BROWSER=1) but not installed: apt-get install chromium."))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // chromium's own temporary files go inside the profile, which dispose deletes (else /tmp keeps one per browser).
        start.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(profile, "tmp")).FullName;
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", $"--window-size={width},{height}", $"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var browser = new Chromium(process, profile);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            Uri? endpoint = null;
            while ((line = await process.StandardError.ReadLineAsync(timeout.Token)) is not null)
            {
                const string Marker = "DevTools listening on ";
                if (line.StartsWith(Marker, StringComparison.Ordinal))
                {
                    endpoint = new Uri(line[Marker.Length..].Trim());
                    break;
                }
            }

            _ = process.StandardError.ReadToEndAsync(CancellationToken.None); // keep the pipe drained
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            if (endpoint is null)
            {
                throw new InvalidOperationException("chromium did not print its DevTools address.");
            }

            using var http = new HttpClient();
            var pages = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://{endpoint.Authority}/json/list"), timeout.Token))!.AsArray();
            var page = pages.First(p => (string?)p!["type"] == "page")!;
            await browser._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), timeout.Token);
            await browser.SendAsync("Page.enable", []);
            await browser.SendAsync("Page.addScriptToEvaluateOnNewDocument", new JsonObject
            {
                ["source"] = "window.__errors = []; addEventListener('error', function (e) { window.__errors.push(String(e.message) + ' at ' + e.filename + ':' + e.lineno); });",
            });
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens <paramref name="url"/> and waits for its load event.</summary>
    public async Task NavigateAsync(Uri url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url.AbsoluteUri });
        await WaitForAsync("document.readyState === 'complete'", TimeSpan.FromSeconds(30));
    }

    /// <summary>Evaluates <paramref name="expression"/> (awaiting a promise) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException("Script failed: " + exception.ToJsonString());
        }

        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>Waits until <paramref name="condition"/> is true in the page.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if ((await EvaluateAsync($"!!({condition})"))?.GetValue<bool>() == true)
            {
                return;
            }

            if (stopwatch.Elapsed > timeout)
            {
                var errors = await EvaluateAsync("JSON.stringify({ url: location.href, errors: window.__errors, live: (document.getElementById('live') || {}).textContent })");
                throw new TimeoutException($"Not true within {timeout}: {condition}; the page: {errors}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Saves a PNG of the page (the whole page when <paramref name="fullPage"/>).</summary>
    public async Task ScreenshotAsync(string path, bool fullPage = false)
    {
        var parameters = new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = fullPage };
        var result = await SendAsync("Page.captureScreenshot", parameters);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)result["data"]!));
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters)
    {
        var id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, timeout.Token);
                received.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var reply = JsonNode.Parse(received.ToArray())!;
            if ((int?)reply["id"] != id)
            {
                continue; // an event, or a reply to nothing we wait for
            }

            if (reply["error"] is { } error)
            {
                throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
            }

            return reply["result"]!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        for (var attempt = 1; Directory.Exists(_profile); attempt++)
        {
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(100); // chromium's children may still be writing into the profile as they die
            }
        }
    }
}

/// <summary>
/// A fact that needs Debian's <c>chromium</c>; skipped, saying so, where it is not on the PATH — except where the browser
/// is required (<c>PIPELINERUNNER_REQUIRE_BROWSER=1</c>, set by <c>.ci/run</c>), where the test runs and fails naming
/// what is missing.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Executable is null && Environment.GetEnvironmentVariable("PIPELINERUNNER_REQUIRE_BROWSER") != "1")
        {
            Skip = "chromium is not installed (apt-get install chromium).";
        }
    }
}
