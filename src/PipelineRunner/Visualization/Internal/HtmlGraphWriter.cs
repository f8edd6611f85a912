using System.Globalization;
using System.Text;

namespace PipelineRunner.Visualization.Internal;

/// <summary>
/// Writes a standalone HTML page: the <see cref="GraphLayout"/> of a <see cref="GraphModel"/> as inline SVG, with
/// inline CSS and a small script that collapses a namespace into one box when its frame is clicked (and expands it
/// again). Tooltips are SVG <c>&lt;title&gt;</c> elements. Nothing is fetched: no external script, style, font or image.
/// </summary>
internal static class HtmlGraphWriter
{
    public static void Write(GraphModel model, GraphLayout layout, string title, StringBuilder html)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(Escape(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<header><h1>")
            .Append(Escape(title)).Append("</h1><p>")
            .Append(Count(model.Vertices.Count(v => v.Kind == VertexKind.Task), "node")).Append(", ")
            .Append(Count(model.Vertices.Count(v => v.Kind != VertexKind.Task), "dataset")).Append(", ")
            .Append(Count(model.Namespaces.Count, "namespace"))
            .Append(". Click a namespace's frame to collapse it into one box, and the box to expand it. Hover for details.</p></header>\n");
        html.Append("<svg class=\"pipeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(N(layout.Width))
            .Append("\" height=\"").Append(N(layout.Height)).Append("\" viewBox=\"0 0 ").Append(N(layout.Width)).Append(' ')
            .Append(N(layout.Height)).Append("\">\n");
        html.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\"/></marker></defs>\n");

        html.Append("<g class=\"namespaces\">\n");
        for (var n = 0; n < model.Namespaces.Count; n++)
        {
            var ns = model.Namespaces[n];
            var box = layout.Namespaces[n];
            // Collapsed, the namespace is one box in the middle of its frame: inputs mostly above it, outputs below.
            var collapsedWidth = Math.Min(box.Width, GraphLayout.LabelWidth(ns.FullName));
            var collapsed = new Box(box.CenterX - collapsedWidth / 2, box.Y + (box.Height - GraphLayout.VertexHeight) / 2, collapsedWidth, GraphLayout.VertexHeight);
            html.Append("<g class=\"ns\" id=\"").Append(ns.Id).Append("\" data-ns=\"").Append(Ancestors(model, ns.Parent)).Append('"')
                .Append(Geometry(collapsed)).Append(">\n<g class=\"frame\"><rect x=\"").Append(N(box.X)).Append("\" y=\"").Append(N(box.Y))
                .Append("\" width=\"").Append(N(box.Width)).Append("\" height=\"").Append(N(box.Height)).Append("\" rx=\"8\"/><text x=\"")
                .Append(N(box.X + 10)).Append("\" y=\"").Append(N(box.Y + 14)).Append("\">").Append(Escape(ns.FullName)).Append("</text><title>")
                .Append(Escape(NamespaceTooltip(model, ns))).Append("</title></g>\n")
                .Append("<g class=\"box\"><rect x=\"").Append(N(collapsed.X)).Append("\" y=\"").Append(N(collapsed.Y))
                .Append("\" width=\"").Append(N(collapsed.Width)).Append("\" height=\"").Append(N(collapsed.Height)).Append("\" rx=\"8\"/><text x=\"")
                .Append(N(collapsed.CenterX)).Append("\" y=\"").Append(N(collapsed.Y + collapsed.Height / 2)).Append("\">")
                .Append(Escape(ns.FullName)).Append("</text><title>").Append(Escape(NamespaceTooltip(model, ns))).Append("</title></g>\n</g>\n");
        }

        html.Append("</g>\n<g class=\"edges\">\n");
        for (var e = 0; e < model.Edges.Count; e++)
        {
            var (source, target) = model.Edges[e];
            html.Append("<path data-s=\"").Append(model.Vertices[source].Id).Append("\" data-t=\"").Append(model.Vertices[target].Id)
                .Append("\" d=\"").Append(EdgePath(layout.Vertices[source], layout.Vertices[target], layout.Routes[e])).Append("\"/>\n");
        }

        html.Append("</g>\n<g class=\"vertices\">\n");
        for (var v = 0; v < model.Vertices.Count; v++)
        {
            var vertex = model.Vertices[v];
            var box = layout.Vertices[v];
            html.Append("<g class=\"v ").Append(JsonGraphWriter.TypeName(vertex.Kind)).Append("\" id=\"").Append(vertex.Id)
                .Append("\" data-ns=\"").Append(Ancestors(model, vertex.Namespace)).Append('"').Append(Geometry(box)).Append("><rect x=\"")
                .Append(N(box.X)).Append("\" y=\"").Append(N(box.Y)).Append("\" width=\"").Append(N(box.Width)).Append("\" height=\"")
                .Append(N(box.Height)).Append("\" rx=\"").Append(vertex.Kind == VertexKind.Task ? "3" : N(box.Height / 2)).Append("\"/><text x=\"")
                .Append(N(box.CenterX)).Append("\" y=\"").Append(N(box.Y + box.Height / 2)).Append("\">").Append(Escape(vertex.Name))
                .Append("</text><title>").Append(Escape(VertexTooltip(model, vertex))).Append("</title></g>\n");
        }

        html.Append("</g>\n</svg>\n<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
    }

    /// <summary>
    /// From the bottom middle of one box to the top middle of another: a cubic curve to each routing point's row, a
    /// straight line through the row, and a curve on to the next.
    /// </summary>
    internal static string EdgePath(Box from, Box to, IReadOnlyList<Waypoint> route)
    {
        var path = new StringBuilder();
        var (x, y) = (from.CenterX, from.Bottom);
        path.Append('M').Append(N(x)).Append(',').Append(N(y));
        foreach (var point in route)
        {
            Curve(point.X, point.Top);
            path.Append(" L").Append(N(point.X)).Append(',').Append(N(point.Bottom));
            (x, y) = (point.X, point.Bottom);
        }

        Curve(to.CenterX, to.Y);
        return path.ToString();

        void Curve(double x2, double y2)
        {
            var bend = Math.Max(20, Math.Abs(y2 - y) / 2);
            path.Append(" C").Append(N(x)).Append(',').Append(N(y + bend)).Append(' ').Append(N(x2)).Append(',').Append(N(y2 - bend))
                .Append(' ').Append(N(x2)).Append(',').Append(N(y2));
            (x, y) = (x2, y2);
        }
    }

    private static string VertexTooltip(GraphModel model, GraphVertex vertex)
    {
        var text = new StringBuilder(vertex.Name).Append('\n').Append("type: ").Append(JsonGraphWriter.TypeName(vertex.Kind));
        if (vertex.Namespace >= 0)
        {
            text.Append("\nnamespace: ").Append(model.Namespaces[vertex.Namespace].FullName);
        }

        var task = vertex.Kind == VertexKind.Task;
        Line(task ? "inputs" : "written by", vertex.Inputs);
        Line(task ? "outputs" : "read by", vertex.Outputs);
        Line("transcodings", vertex.Transcodings);
        Line("tags", vertex.Tags);
        return text.ToString();

        void Line(string label, string[] values)
        {
            if (values.Length > 0)
            {
                text.Append('\n').Append(label).Append(": ").AppendJoin(", ", values);
            }
        }
    }

    private static string NamespaceTooltip(GraphModel model, GraphNamespace ns)
    {
        var text = new StringBuilder("namespace ").Append(ns.FullName);
        if (ns.Inputs.Count > 0)
        {
            text.Append("\ninputs: ").AppendJoin(", ", ns.Inputs.Select(i => model.Vertices[i].Name));
        }

        if (ns.Outputs.Count > 0)
        {
            text.Append("\noutputs: ").AppendJoin(", ", ns.Outputs.Select(i => model.Vertices[i].Name));
        }

        return text.ToString();
    }

    /// <summary>The ids of a namespace and its ancestors, outermost first, space-separated (ids have no spaces).</summary>
    private static string Ancestors(GraphModel model, int ns)
    {
        var ids = new List<string>();
        for (; ns >= 0; ns = model.Namespaces[ns].Parent)
        {
            ids.Add(model.Namespaces[ns].Id);
        }

        ids.Reverse();
        return string.Join(' ', ids);
    }

    private static string Geometry(Box box) =>
        string.Create(CultureInfo.InvariantCulture, $" data-x=\"{N(box.X)}\" data-y=\"{N(box.Y)}\" data-w=\"{N(box.Width)}\" data-h=\"{N(box.Height)}\"");

    private static string Count(int count, string noun) => count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? string.Empty : "s");

    private static string N(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Text for HTML content and attribute values: <c>&amp; &lt; &gt; " '</c> as entities.</summary>
    internal static string Escape(string text)
    {
        var html = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => html.Append("&amp;"),
                '<' => html.Append("&lt;"),
                '>' => html.Append("&gt;"),
                '"' => html.Append("&quot;"),
                '\'' => html.Append("&#39;"),
                _ => html.Append(c),
            };
        }

        return html.ToString();
    }

    private const string Css = """
        body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; background: #fafafa; }
        header { padding: 12px 24px 0; }
        header h1 { font-size: 18px; margin: 0 0 4px; }
        header p { margin: 0; color: #555; }
        svg.pipeline { display: block; }
        svg text { font-size: 12px; dominant-baseline: central; pointer-events: none; }
        .v text, .ns .box text { text-anchor: middle; }
        .v rect { stroke-width: 1.2; }
        .v.task rect { fill: #e8eefc; stroke: #3b5bdb; }
        .v.data rect { fill: #f1f3f5; stroke: #868e96; }
        .v.parameters rect { fill: #fff4e6; stroke: #e8590c; stroke-dasharray: 4 3; }
        .edges path { fill: none; stroke: #868e96; stroke-width: 1.2; marker-end: url(#arrow); }
        #arrow path { fill: #868e96; }
        .ns { cursor: pointer; }
        .ns .frame rect { fill: rgba(59, 91, 219, 0.04); stroke: #adb5bd; stroke-dasharray: 5 4; }
        .ns .frame:hover rect { stroke: #3b5bdb; }
        .ns .frame text { fill: #495057; font-weight: 600; }
        .ns .box { display: none; }
        .ns .box rect { fill: #dbe4ff; stroke: #3b5bdb; stroke-width: 2; }
        .ns.collapsed .frame { display: none; }
        .ns.collapsed .box { display: inline; }
        .hidden { display: none; }

        """;

    private const string Script = """
        (function () {
          'use strict';
          var svg = document.querySelector('svg.pipeline');
          var collapsed = new Set();
          function geometry(el) {
            return { x: +el.dataset.x, y: +el.dataset.y, w: +el.dataset.w, h: +el.dataset.h,
                     ns: el.dataset.ns ? el.dataset.ns.split(' ') : [] };
          }
          var vertices = {}, spaces = {};
          svg.querySelectorAll('g.v').forEach(function (el) { vertices[el.id] = geometry(el); });
          svg.querySelectorAll('g.ns').forEach(function (el) {
            spaces[el.id] = geometry(el);
            el.addEventListener('click', function () {
              if (collapsed.has(el.id)) { collapsed.delete(el.id); } else { collapsed.add(el.id); }
              render();
            });
          });
          // What stands for an item: its outermost collapsed namespace, else itself.
          function shownAs(id, ns) {
            for (var i = 0; i < ns.length; i++) { if (collapsed.has(ns[i])) { return ns[i]; } }
            return id;
          }
          function box(id) { return vertices[id] || spaces[id]; }
          // Downwards from bottom to top, as laid out; upwards from top to bottom; sideways between boxes on one row.
          function path(a, b) {
            var x1 = a.x + a.w / 2, x2 = b.x + b.w / 2, y1, y2, bend;
            if (b.y >= a.y + a.h) { y1 = a.y + a.h; y2 = b.y; bend = Math.max(20, (y2 - y1) / 2); }
            else if (b.y + b.h <= a.y) { y1 = a.y; y2 = b.y + b.h; bend = -Math.max(20, (y1 - y2) / 2); }
            else {
              var right = b.x >= a.x + a.w / 2;
              x1 = right ? a.x + a.w : a.x; x2 = right ? b.x : b.x + b.w;
              y1 = a.y + a.h / 2; y2 = b.y + b.h / 2;
              var dx = (x2 - x1) / 2;
              return 'M' + x1 + ',' + y1 + ' C' + (x1 + dx) + ',' + y1 + ' ' + (x2 - dx) + ',' + y2 + ' ' + x2 + ',' + y2;
            }
            return 'M' + x1 + ',' + y1 + ' C' + x1 + ',' + (y1 + bend) + ' ' + x2 + ',' + (y2 - bend) + ' ' + x2 + ',' + y2;
          }
          function render() {
            Object.keys(spaces).forEach(function (id) {
              var el = document.getElementById(id);
              el.classList.toggle('collapsed', collapsed.has(id));
              el.classList.toggle('hidden', shownAs(id, spaces[id].ns) !== id);
            });
            Object.keys(vertices).forEach(function (id) {
              document.getElementById(id).classList.toggle('hidden', shownAs(id, vertices[id].ns) !== id);
            });
            svg.querySelectorAll('g.edges path').forEach(function (el) {
              var s = shownAs(el.dataset.s, vertices[el.dataset.s].ns), t = shownAs(el.dataset.t, vertices[el.dataset.t].ns);
              el.classList.toggle('hidden', s === t);
              if (s === t) { return; }
              if (!el.dataset.d) { el.dataset.d = el.getAttribute('d'); } // the laid-out route, kept for expanding
              if (s === el.dataset.s && t === el.dataset.t) { el.setAttribute('d', el.dataset.d); return; }
              el.setAttribute('d', path(box(s), box(t)));
            });
          }
          // A page can open with its top-level namespaces collapsed (the live dashboard does for large pipelines).
          if (svg.dataset.collapsed === 'top') {
            Object.keys(spaces).forEach(function (id) { if (spaces[id].ns.length === 0) { collapsed.add(id); } });
            render();
          }
        })();

        """;
}
