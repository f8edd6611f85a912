using System.Collections.Concurrent;

namespace PipelineRunner.Distributed.Dashboard;

/// <summary>The dashboard's pages, styles and scripts, embedded in the assembly (nothing is fetched from elsewhere).</summary>
internal static class DashboardPages
{
    private static readonly ConcurrentDictionary<string, string?> Cache = new(StringComparer.Ordinal);

    /// <summary>An embedded asset's text (<c>index.html</c>, <c>dashboard.css</c>, …), or null when there is none.</summary>
    public static string? Asset(string name) => Cache.GetOrAdd(name, static n =>
    {
        using var stream = typeof(DashboardPages).Assembly.GetManifestResourceStream("PipelineRunner.Distributed.Dashboard." + n);
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("<!--NAV-->", Navigation(Path.GetFileNameWithoutExtension(n)), StringComparison.Ordinal);
    });

    /// <summary>The content type of an asset by its extension.</summary>
    public static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        _ => "text/html; charset=utf-8",
    };

    /// <summary>The navigation bar shared by the pages, with <paramref name="current"/> marked.</summary>
    public static string Navigation(string current) =>
        "<nav class=\"dash\"><b>PipelineRunner</b>"
        + Link("/", "Runs, workers and store", current == "index")
        + Link("/tasks", "Task stream", current == "tasks")
        + (current == "graph" ? "<a class=\"current\">Pipeline graph</a>" : string.Empty)
        + "<span id=\"live\" class=\"live\">connecting…</span></nav>";

    private static string Link(string href, string text, bool current) =>
        $"<a href=\"{href}\"{(current ? " class=\"current\"" : string.Empty)}>{text}</a>";
}
