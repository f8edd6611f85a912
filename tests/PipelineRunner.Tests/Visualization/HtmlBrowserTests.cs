using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PipelineRunner.Visualization;

namespace PipelineRunner.Tests.Visualization;

/// <summary>
/// The HTML page in a real browser (Debian's <c>chromium</c>, headless): its script collapses and expands a namespace,
/// reroutes edges, and every label fits its box. Skipped, visibly, where chromium is not installed
/// (<c>apt-get install chromium</c>).
/// </summary>
public sealed class HtmlBrowserTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pr-viz-" + Guid.NewGuid().ToString("N"));

    public HtmlBrowserTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [ChromiumFact]
    public async Task InChromium_ClickingANamespaceCollapsesItIntoOneBox_RoutesItsEdgesThere_AndClickingAgainExpandsIt()
    {
        var result = await ProbeAsync(PipelineGraphExportTests.Sample().ToHtml(), Probe);

        Assert.Equal(JsonValueKind.Array, result.GetProperty("errors").ValueKind);
        Assert.Empty(result.GetProperty("errors").EnumerateArray());
        var before = result.GetProperty("before");
        Assert.True(before.GetProperty("train").GetBoolean());
        Assert.False(before.GetProperty("box").GetBoolean());

        var collapsed = result.GetProperty("collapsed");
        Assert.False(collapsed.GetProperty("train").GetBoolean());
        Assert.False(collapsed.GetProperty("model").GetBoolean());
        Assert.False(collapsed.GetProperty("threshold").GetBoolean());
        Assert.False(collapsed.GetProperty("frame").GetBoolean());
        Assert.True(collapsed.GetProperty("box").GetBoolean());
        Assert.True(collapsed.GetProperty("report").GetBoolean());
        Assert.False(collapsed.GetProperty("innerEdge").GetBoolean()); // ds.model → ds.evaluate: inside the box
        Assert.True(collapsed.GetProperty("inputEdge").GetBoolean());  // companies → ds.train: now into the box
        Assert.True(collapsed.GetProperty("inputEdgeEndsOnBox").GetBoolean(), collapsed.GetProperty("inputEdgePath").GetString());

        var expanded = result.GetProperty("expanded");
        Assert.True(expanded.GetProperty("train").GetBoolean());
        Assert.True(expanded.GetProperty("frame").GetBoolean());
        Assert.False(expanded.GetProperty("box").GetBoolean());
        Assert.True(expanded.GetProperty("innerEdge").GetBoolean());
    }

    [ChromiumFact]
    public async Task InChromium_EveryLabelFitsItsBox_InALargePipeline()
    {
        var result = await ProbeAsync(PipelineGraphExportTests.Large().ToHtml(), FitProbe);
        Assert.Empty(result.GetProperty("errors").EnumerateArray());
        Assert.Equal(2101, result.GetProperty("checked").GetInt32()); // 1,000 nodes, 1,001 datasets, 100 parameters
        Assert.Empty(result.GetProperty("overflowing").EnumerateArray());
    }

    /// <summary>Loads the page with <paramref name="probe"/> appended, and returns what the probe wrote.</summary>
    private async Task<JsonElement> ProbeAsync(string html, string probe)
    {
        var page = Path.Combine(_directory, "page.html");
        await File.WriteAllTextAsync(page, html.Replace("</body>", "<script>" + probe + "</script>\n</body>", StringComparison.Ordinal));
        var start = new ProcessStartInfo(ChromiumFactAttribute.Executable
            ?? throw new InvalidOperationException("chromium is required (PIPELINERUNNER_REQUIRE_BROWSER=1) but not installed: apt-get install chromium."))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(_directory, "tmp")).FullName; // deleted with the test's folder
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={Path.Combine(_directory, "profile")}", "--dump-dom", new Uri(page).AbsoluteUri })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var dom = await output;
            var open = dom.IndexOf("<pre id=\"probe\">", StringComparison.Ordinal);
            Assert.True(open >= 0, $"The probe wrote nothing. chromium said: {await error}");
            open += "<pre id=\"probe\">".Length;
            var json = WebUtility.HtmlDecode(dom[open..dom.IndexOf("</pre>", open, StringComparison.Ordinal)]);
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private const string Report = """
        function report(r) {
          var pre = document.createElement('pre');
          pre.id = 'probe';
          pre.textContent = JSON.stringify(r);
          document.body.appendChild(pre);
        }
        function shown(el) { return !!el && el.getBoundingClientRect().width > 0; }
        """;

    private const string Probe = Report + """
        (function () {
          var r = { errors: [] };
          try {
            var ns = document.getElementById('ns_ds');
            function edge(s, t) { return document.querySelector('path[data-s="' + s + '"][data-t="' + t + '"]'); }
            function state() {
              return {
                train: shown(document.getElementById('task_ds_train')),
                model: shown(document.getElementById('data_ds_model')),
                threshold: shown(document.getElementById('param_ds_threshold')),
                report: shown(document.getElementById('task_report')),
                frame: shown(ns.querySelector('.frame')),
                box: shown(ns.querySelector('.box')),
                innerEdge: shown(edge('data_ds_model', 'task_ds_evaluate')),
                inputEdge: shown(edge('data_companies', 'task_ds_train'))
              };
            }
            r.before = state();
            ns.querySelector('.frame').dispatchEvent(new MouseEvent('click', { bubbles: true }));
            r.collapsed = state();
            var d = edge('data_companies', 'task_ds_train').getAttribute('d');
            var numbers = d.match(/-?[0-9.]+/g).map(Number);
            var x = numbers[numbers.length - 2], y = numbers[numbers.length - 1];
            var b = { x: +ns.dataset.x, y: +ns.dataset.y, w: +ns.dataset.w, h: +ns.dataset.h };
            r.collapsed.inputEdgePath = d;
            r.collapsed.inputEdgeEndsOnBox = x >= b.x && x <= b.x + b.w && y >= b.y - 0.5 && y <= b.y + b.h + 0.5;
            ns.querySelector('.box').dispatchEvent(new MouseEvent('click', { bubbles: true }));
            r.expanded = state();
          } catch (e) { r.errors.push(String(e)); }
          report(r);
        })();
        """;

    private const string FitProbe = Report + """
        (function () {
          var r = { errors: [], checked: 0, overflowing: [] };
          try {
            document.querySelectorAll('g.v').forEach(function (g) {
              r.checked++;
              var text = g.querySelector('text'), rect = g.querySelector('rect');
              if (text.getComputedTextLength() > +rect.getAttribute('width') - 8) { r.overflowing.push(g.id); }
            });
          } catch (e) { r.errors.push(String(e)); }
          report(r);
        })();
        """;
}

/// <summary>
/// A fact that needs Debian's <c>chromium</c>; skipped, saying so, where it is not on the PATH — except where the browser
/// is required (<see cref="Required"/>, as in CI), where the test runs and fails naming what is missing.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Executable is null && !Required)
        {
            Skip = "chromium is not installed (apt-get install chromium).";
        }
    }


    /// <summary>
    /// Whether a missing browser fails the browser tests instead of skipping them: <c>.ci/run</c> sets
    /// <c>PIPELINERUNNER_REQUIRE_BROWSER=1</c> after installing chromium, so CI never passes without running them.
    /// </summary>
    public static bool Required => Environment.GetEnvironmentVariable("PIPELINERUNNER_REQUIRE_BROWSER") == "1";

    /// <summary>The chromium executable on the PATH, or null.</summary>
    public static string? Executable { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(d => new[] { Path.Combine(d, "chromium"), Path.Combine(d, "chromium-browser") })
            .FirstOrDefault(File.Exists);
}
