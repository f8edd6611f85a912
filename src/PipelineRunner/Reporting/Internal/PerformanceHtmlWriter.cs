using System.Globalization;
using System.Net;
using System.Text;

namespace PipelineRunner.Reporting.Internal;

/// <summary>
/// Writes a <see cref="PerformanceReport"/> as a standalone HTML page: inline CSS and SVG, no script, nothing fetched.
/// A summary, the slowest nodes, the critical path, a timeline (one lane per worker or thread; nodes that overlap on
/// one worker get lanes of their own) and every node's figures. Linear in the number of nodes (the timeline's lanes are
/// assigned in one pass over the nodes sorted by start).
/// </summary>
internal static class PerformanceHtmlWriter
{
    private const double LaneHeight = 18;
    private const double TimelineWidth = 1100;
    private const double LabelWidth = 160;

    public static void Write(PerformanceReport report, StringBuilder html)
    {
        var title = "Performance report: " + report.RunnerName + " run " + report.SessionId;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Escape(title))
            .Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<h1>").Append(Escape(title)).Append("</h1>\n");

        html.Append("<section id=\"summary\"><h2>Summary</h2><table class=\"summary\">\n");
        Row(html, "Outcome", report.Succeeded ? "completed" : "<span class=\"failed\">failed</span>: " + Escape(report.Error!), raw: true);
        Row(html, "Started", report.StartedAt.ToString("u", CultureInfo.InvariantCulture));
        Row(html, "Wall time", Seconds(report.WallTime));
        Row(html, "Sum of node times", Seconds(report.NodeTime));
        Row(html, "Parallelism achieved", report.Parallelism.ToString("0.00", CultureInfo.InvariantCulture));
        Row(html, "Critical path", Seconds(report.CriticalPathTime) + " over " + Count(report.CriticalPath.Count, "node"));
        var counts = new int[Enum.GetValues<NodeOutcome>().Length];
        foreach (var node in report.Nodes)
        {
            counts[(int)node.Outcome]++;
        }

        Row(html, "Nodes", string.Join(", ", Enum.GetValues<NodeOutcome>().Where(o => counts[(int)o] > 0).Select(o => counts[(int)o].ToString(CultureInfo.InvariantCulture) + " " + Outcome(o))));
        Row(html, "Bytes loaded", Bytes(report.BytesLoaded));
        Row(html, "Bytes saved", Bytes(report.BytesSaved));
        Row(html, "Bytes moved (loaded + saved)", Bytes(report.BytesLoaded + report.BytesSaved));
        html.Append("</table></section>\n");

        html.Append("<section id=\"slowest\"><h2>Slowest nodes</h2>\n");
        NodeTable(html, report.SlowestNodes);
        html.Append("</section>\n<section id=\"critical-path\"><h2>Critical path</h2>\n<ol class=\"path\">\n");
        foreach (var node in report.CriticalPath)
        {
            html.Append("<li>").Append(Escape(node.Name)).Append(" <span class=\"muted\">").Append(Seconds(node.WallTime)).Append("</span></li>\n");
        }

        html.Append("</ol></section>\n<section id=\"timeline\"><h2>Timeline</h2>\n");
        Timeline(report, html);
        html.Append("</section>\n<section id=\"nodes\"><h2>All nodes</h2>\n");
        NodeTable(html, report.Nodes);
        html.Append("</section>\n<footer class=\"muted\">Times in seconds. Queue wait: from the end of the last dependency (or the run's start; distributed, its submission to the scheduler) to the node's start. ")
            .Append("Bytes where the datasets know them (store values, unversioned files); blank where unknown.</footer>\n</body>\n</html>\n");
    }

    private static void Timeline(PerformanceReport report, StringBuilder html)
    {
        // Lanes: by location, then as many sub-lanes as nodes overlap on it.
        var started = report.Nodes.Where(n => n.Location is not null && n.Outcome != NodeOutcome.NotRun)
            .OrderBy(n => n.Location, StringComparer.Ordinal).ThenBy(n => n.Start).ToList();
        var lanes = new List<(string Location, TimeSpan FreeAt)>();
        var laneOf = new int[started.Count];
        var firstLane = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < started.Count; k++)
        {
            var node = started[k];
            if (!firstLane.TryGetValue(node.Location!, out var first))
            {
                first = lanes.Count;
                firstLane[node.Location!] = first;
                lanes.Add((node.Location!, TimeSpan.Zero));
            }

            var lane = first;
            while (lane < lanes.Count && lanes[lane].Location == node.Location && lanes[lane].FreeAt > node.Start)
            {
                lane++;
            }

            if (lane == lanes.Count || lanes[lane].Location != node.Location)
            {
                lanes.Insert(lane, (node.Location!, TimeSpan.Zero));
            }

            lanes[lane] = (node.Location!, node.Start + node.WallTime);
            laneOf[k] = lane;
        }

        var span = report.WallTime > TimeSpan.Zero ? report.WallTime.TotalSeconds : 1;
        var scale = TimelineWidth / span;
        var height = lanes.Count * LaneHeight + 24;
        html.Append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(N(LabelWidth + TimelineWidth + 10))
            .Append("\" height=\"").Append(N(height)).Append("\">\n");
        string? previous = null;
        for (var lane = 0; lane < lanes.Count; lane++)
        {
            if (lanes[lane].Location != previous)
            {
                previous = lanes[lane].Location;
                html.Append("<text class=\"lane\" x=\"4\" y=\"").Append(N(lane * LaneHeight + 13)).Append("\">").Append(Escape(previous)).Append("</text>\n");
                html.Append("<line x1=\"0\" x2=\"").Append(N(LabelWidth + TimelineWidth)).Append("\" y1=\"").Append(N(lane * LaneHeight)).Append("\" y2=\"")
                    .Append(N(lane * LaneHeight)).Append("\"/>\n");
            }
        }

        for (var k = 0; k < started.Count; k++)
        {
            var node = started[k];
            var x = LabelWidth + node.Start.TotalSeconds * scale;
            var width = Math.Max(1, node.WallTime.TotalSeconds * scale);
            html.Append("<rect class=\"").Append(Outcome(node.Outcome)).Append(node.OnCriticalPath ? " critical" : string.Empty).Append("\" x=\"").Append(N(x))
                .Append("\" y=\"").Append(N(laneOf[k] * LaneHeight + 2)).Append("\" width=\"").Append(N(width)).Append("\" height=\"").Append(N(LaneHeight - 4))
                .Append("\"><title>").Append(Escape(node.Name)).Append(": ").Append(Seconds(node.WallTime)).Append(" s from ").Append(Seconds(node.Start))
                .Append(" s, ").Append(Outcome(node.Outcome));
            if (node.Error is not null)
            {
                html.Append(" — ").Append(Escape(node.Error));
            }

            html.Append("</title></rect>\n");
        }

        var axis = lanes.Count * LaneHeight + 16;
        for (var tick = 0; tick <= 4; tick++)
        {
            html.Append("<text class=\"axis\" x=\"").Append(N(LabelWidth + tick * TimelineWidth / 4 - (tick == 4 ? 40 : 0))).Append("\" y=\"").Append(N(axis)).Append("\">")
                .Append((span * tick / 4).ToString("0.###", CultureInfo.InvariantCulture)).Append(" s</text>\n");
        }

        html.Append("</svg>\n<p class=\"muted\">Bars: completed <span class=\"key completed\"></span> failed <span class=\"key failed\"></span> ")
            .Append("on the critical path <span class=\"key critical\"></span>. Hover a bar for its node.</p>\n");
    }

    private static void NodeTable(StringBuilder html, IReadOnlyList<NodePerformance> nodes)
    {
        html.Append("<table class=\"nodes\"><thead><tr><th>Node</th><th>Outcome</th><th>Where</th><th>Start</th><th>Wall</th><th>Queue wait</th>")
            .Append("<th>Load</th><th>Load bytes</th><th>Save</th><th>Save bytes</th><th>Attempts</th></tr></thead>\n<tbody>\n");
        foreach (var node in nodes)
        {
            html.Append("<tr class=\"").Append(Outcome(node.Outcome)).Append("\"><td>").Append(Escape(node.Name)).Append(node.OnCriticalPath ? " <span class=\"muted\">(critical)</span>" : string.Empty)
                .Append("</td><td>").Append(Outcome(node.Outcome));
            if (node.Error is not null)
            {
                html.Append("<div class=\"error\">").Append(Escape(node.Error)).Append("</div>");
            }

            html.Append("</td><td>").Append(Escape(node.Location ?? string.Empty))
                .Append("</td><td class=\"n\">").Append(Seconds(node.Start))
                .Append("</td><td class=\"n\">").Append(Seconds(node.WallTime))
                .Append("</td><td class=\"n\">").Append(Seconds(node.QueueWait))
                .Append("</td><td class=\"n\">").Append(Seconds(node.LoadTime))
                .Append("</td><td class=\"n\">").Append(node.LoadBytes is { } lb ? Bytes(lb) : string.Empty)
                .Append("</td><td class=\"n\">").Append(Seconds(node.SaveTime))
                .Append("</td><td class=\"n\">").Append(node.SaveBytes is { } sb ? Bytes(sb) : string.Empty)
                .Append("</td><td class=\"n\">").Append(node.Attempts.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void Row(StringBuilder html, string name, string value, bool raw = false) =>
        html.Append("<tr><th>").Append(name).Append("</th><td>").Append(raw ? value : Escape(value)).Append("</td></tr>\n");

    private static string Outcome(NodeOutcome outcome) => outcome switch
    {
        NodeOutcome.Completed => "completed",
        NodeOutcome.Failed => "failed",
        NodeOutcome.Skipped => "skipped",
        NodeOutcome.Running => "running",
        NodeOutcome.Cancelled => "cancelled",
        _ => "not-run",
    };

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Count(int count, string noun) => count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? string.Empty : "s");

    private static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture);

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
        table { border-collapse: collapse; } th, td { padding: 2px 8px; text-align: left; border-bottom: 1px solid #eee; vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .muted { color: #777; } .failed, tr.failed td { color: #b00020; } .error { font-size: 12px; }
        tr.skipped td, tr.not-run td { color: #999; }
        svg.timeline { border: 1px solid #ddd; background: #fafafa; }
        svg.timeline line { stroke: #ddd; } svg.timeline text { font-size: 11px; fill: #444; }
        rect.completed { fill: #4c78a8; } rect.failed { fill: #d62728; } rect.running, rect.cancelled { fill: #f2a900; }
        rect.critical { stroke: #111; stroke-width: 1.5; }
        .key { display: inline-block; width: 12px; height: 10px; } .key.completed { background: #4c78a8; } .key.failed { background: #d62728; }
        .key.critical { border: 2px solid #111; }

        """;
}
