namespace PipelineRunner.Visualization.Internal;

/// <summary>A rectangle in layout coordinates (pixels, y downwards).</summary>
internal readonly record struct Box(double X, double Y, double Width, double Height)
{
    public double Right => X + Width;

    public double Bottom => Y + Height;

    public double CenterX => X + Width / 2;
}

/// <summary>Where an edge crosses a rank it passes: at <see cref="X"/>, from <see cref="Top"/> to <see cref="Bottom"/> of the row.</summary>
internal readonly record struct Waypoint(double X, double Top, double Bottom);

/// <summary>
/// A layered (Sugiyama-style) layout of a <see cref="GraphModel"/>, computed without rendering so any view (the static
/// HTML page, a live dashboard) can draw it:
/// <list type="number">
/// <item>Ranks: node layer <c>g</c> of <see cref="PipelineRunner.Pipelines.Pipeline.Grouped"/> is rank <c>2g+1</c>; a
/// dataset sits one rank below its producer, or one rank above its first reader when no node writes it; empty ranks
/// are dropped.</item>
/// <item>Routing points: an edge spanning several ranks gets a point of width 0 in each rank between (shared by the
/// edges of one source), so it has a lane of its own there.</item>
/// <item>Order: a few barycenter sweeps, alternately over the neighbours above and below, with every namespace kept
/// contiguous in every rank and in one left-to-right order across ranks (a namespace's key is the mean of its
/// members').</item>
/// <item>Coordinates: one pass over that global order with a cursor per rank, so each namespace's frame spans its ranks
/// without overlapping anything outside it.</item>
/// </list>
/// Linear apart from the sorts, and the frames' rank spans (namespaces × ranks).
/// </summary>
internal sealed class GraphLayout
{
    public const double VertexHeight = 34;
    public const double Margin = 24;
    private const double Gap = 24;
    private const double PadX = 14;
    private const double LabelHeight = 20;
    private const double PadBottom = 12;
    private const double CharWidth = 7.2;
    private const int Sweeps = 8;

    private GraphLayout(Box[] vertices, Box[] namespaces, int[] ranks, Waypoint[][] routes, double width, double height)
    {
        Vertices = vertices;
        Routes = routes;
        Namespaces = namespaces;
        Ranks = ranks;
        Width = width;
        Height = height;
    }

    /// <summary>Each vertex's box, by vertex index.</summary>
    public IReadOnlyList<Box> Vertices { get; }

    /// <summary>Each namespace's frame, by namespace index.</summary>
    public IReadOnlyList<Box> Namespaces { get; }

    /// <summary>
    /// Each model edge's route through the ranks between its ends, top first: empty for an edge between neighbouring
    /// ranks (or one past the routing budget), drawn directly.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Waypoint>> Routes { get; }

    /// <summary>Each vertex's rank (row), from 0 at the top.</summary>
    public IReadOnlyList<int> Ranks { get; }

    public double Width { get; }

    public double Height { get; }

    /// <summary>The width of a label's box: its text at an average character width, plus padding.</summary>
    public static double LabelWidth(string label) => Math.Max(60, Math.Ceiling(label.Length * CharWidth) + 24);

    public static GraphLayout Compute(GraphModel model)
    {
        var real = model.Vertices.Count;
        var realRanks = AssignRanks(model);
        var rankCount = real == 0 ? 0 : realRanks.Max() + 1;

        // Every vertex of the layout: the model's, then routing points that carry edges spanning several ranks.
        var ranks = new List<int>(realRanks);
        var homes = new List<int>(real);
        var widths = new List<double>(real);
        var above = new List<List<int>>(real);
        var below = new List<List<int>>(real);
        for (var v = 0; v < real; v++)
        {
            homes.Add(model.Vertices[v].Namespace);
            widths.Add(LabelWidth(model.Vertices[v].Name));
            above.Add([]);
            below.Add([]);
        }

        var routes = AddRoutingPoints(model, ranks, homes, widths, above, below);
        var count = ranks.Count;

        var nsCount = model.Namespaces.Count;
        var minRank = new int[nsCount];
        var maxRank = new int[nsCount];
        var levels = new int[nsCount]; // 1 for a namespace without nested ones, else 1 + its deepest child's
        Array.Fill(minRank, int.MaxValue);
        Array.Fill(maxRank, -1);
        for (var v = 0; v < count; v++)
        {
            for (var ns = homes[v]; ns >= 0; ns = model.Namespaces[ns].Parent)
            {
                minRank[ns] = Math.Min(minRank[ns], ranks[v]);
                maxRank[ns] = Math.Max(maxRank[ns], ranks[v]);
            }
        }

        for (var ns = nsCount - 1; ns >= 0; ns--) // children follow their parents in the model's order
        {
            levels[ns] = Math.Max(levels[ns], 1);
            if (model.Namespaces[ns].Parent is var parent and >= 0)
            {
                levels[parent] = Math.Max(levels[parent], levels[ns] + 1);
            }
        }

        // Initial keys: the order of the model within each rank (nodes by layer and name, datasets by name).
        var keys = new double[count];
        var inRank = new int[rankCount];
        for (var v = 0; v < count; v++)
        {
            keys[v] = inRank[ranks[v]]++;
        }

        var x = new double[count];
        var frames = new (double Left, double Right)[nsCount];
        for (var sweep = 0; sweep <= Sweeps; sweep++)
        {
            var order = GlobalOrder(model, homes, keys);
            Place(model, order, ranks, rankCount, widths, minRank, maxRank, x, frames);
            if (sweep == Sweeps)
            {
                break;
            }

            var neighbours = sweep % 2 == 0 ? above : below;
            for (var v = 0; v < count; v++)
            {
                var list = neighbours[v];
                if (list.Count == 0)
                {
                    keys[v] = x[v] + widths[v] / 2;
                    continue;
                }

                var sum = 0.0;
                foreach (var n in list)
                {
                    sum += x[n] + widths[n] / 2;
                }

                keys[v] = sum / list.Count;
            }
        }

        // Rows: each rank leaves room above it for the labels of the frames that start there, and below for their edges.
        var maxLevel = levels.Length == 0 ? 0 : levels.Max();
        var rowHeight = VertexHeight + 46 + maxLevel * (LabelHeight + PadBottom);
        var top = Margin + maxLevel * LabelHeight;
        var boxes = new Box[real];
        var width = 0.0;
        for (var v = 0; v < real; v++)
        {
            boxes[v] = new Box(Margin + x[v], top + ranks[v] * rowHeight, widths[v], VertexHeight);
            width = Math.Max(width, boxes[v].Right);
        }

        var waypoints = new Waypoint[routes.Length][];
        for (var e = 0; e < routes.Length; e++)
        {
            var route = routes[e];
            waypoints[e] = route.Length == 0 ? [] : new Waypoint[route.Length];
            for (var i = 0; i < route.Length; i++)
            {
                var y = top + ranks[route[i]] * rowHeight;
                waypoints[e][i] = new Waypoint(Margin + x[route[i]], y, y + VertexHeight);
                width = Math.Max(width, waypoints[e][i].X);
            }
        }

        var nsBoxes = new Box[nsCount];
        for (var ns = 0; ns < nsCount; ns++)
        {
            var y = top + minRank[ns] * rowHeight - levels[ns] * LabelHeight;
            var bottom = top + maxRank[ns] * rowHeight + VertexHeight + levels[ns] * PadBottom;
            nsBoxes[ns] = new Box(Margin + frames[ns].Left, y, frames[ns].Right - frames[ns].Left, bottom - y);
            width = Math.Max(width, nsBoxes[ns].Right);
        }

        var height = rankCount == 0 ? 0 : top + (rankCount - 1) * rowHeight + VertexHeight + maxLevel * PadBottom;
        return new GraphLayout(boxes, nsBoxes, realRanks, waypoints, width + Margin, height + Margin);
    }

    /// <summary>
    /// Gives every edge that spans more than one rank a routing point in each rank between its ends, so the ordering
    /// and placement keep a lane free for it (it then passes beside vertices and frames, not through them). Edges from
    /// one source share the points of their common ranks, a trunk that branches off to each reader. Within a budget
    /// of twenty points per vertex, plus a thousand, counted over every edge's route: a source whose edges would pass
    /// it keeps direct edges, so a parameter read by every tenth node of a 100,000-node chain costs no quadratic work
    /// or output. Adds the layout's adjacency for the barycenter sweeps.
    /// </summary>
    /// <returns>Each model edge's routing points by rank, top first; empty for an edge drawn directly.</returns>
    private static int[][] AddRoutingPoints(GraphModel model, List<int> ranks, List<int> homes, List<double> widths,
        List<List<int>> above, List<List<int>> below)
    {
        var routes = new int[model.Edges.Count][];
        var longEdges = new SortedDictionary<int, List<int>>(); // by source, in edge order
        for (var e = 0; e < model.Edges.Count; e++)
        {
            var (s, t) = model.Edges[e];
            routes[e] = [];
            if (ranks[t] - ranks[s] > 1)
            {
                if (!longEdges.TryGetValue(s, out var list))
                {
                    longEdges[s] = list = [];
                }

                list.Add(e);
            }
            else
            {
                below[s].Add(t);
                above[t].Add(s);
            }
        }

        var budget = 20L * model.Vertices.Count + 1000;
        foreach (var (source, edges) in longEdges)
        {
            var first = ranks[source] + 1;
            var last = 0;
            var home = homes[source];
            var cost = 0L; // the points drawn: each edge's route, so memory and the page's size stay within the budget too
            foreach (var e in edges)
            {
                var target = model.Edges[e].Target;
                last = Math.Max(last, ranks[target] - 1);
                home = CommonNamespace(model, home, homes[target]);
                cost += ranks[target] - first;
            }

            if (cost > budget)
            {
                foreach (var e in edges)
                {
                    var target = model.Edges[e].Target;
                    below[source].Add(target);
                    above[target].Add(source);
                }

                continue;
            }

            budget -= cost;
            var trunk = new int[last - first + 1];
            var previous = source;
            for (var r = first; r <= last; r++)
            {
                var point = ranks.Count;
                ranks.Add(r);
                homes.Add(home);
                widths.Add(0);
                above.Add([previous]);
                below.Add([]);
                below[previous].Add(point);
                trunk[r - first] = point;
                previous = point;
            }

            foreach (var e in edges)
            {
                var target = model.Edges[e].Target;
                var end = ranks[target] - 1;
                routes[e] = trunk[..(end - first + 1)];
                below[trunk[end - first]].Add(target);
                above[target].Add(trunk[end - first]);
            }
        }

        return routes;
    }

    /// <summary>The innermost namespace holding both (-1: none).</summary>
    private static int CommonNamespace(GraphModel model, int a, int b)
    {
        for (var ns = a; ns >= 0; ns = model.Namespaces[ns].Parent)
        {
            if (GraphModel.Contains(model.Namespaces, ns, b))
            {
                return ns;
            }
        }

        return -1;
    }

    private static int[] AssignRanks(GraphModel model)
    {
        var count = model.Vertices.Count;
        var ranks = new int[count];
        Array.Fill(ranks, -1);
        for (var v = 0; v < count; v++)
        {
            if (model.Vertices[v].Layer >= 0)
            {
                ranks[v] = 2 * model.Vertices[v].Layer + 1;
            }
        }

        // Written datasets: below their producer. Free inputs: above their first reader.
        foreach (var (s, t) in model.Edges)
        {
            if (model.Vertices[s].Kind == VertexKind.Task)
            {
                ranks[t] = ranks[s] + 1;
            }
        }

        foreach (var (s, t) in model.Edges)
        {
            if (model.Vertices[s].Kind != VertexKind.Task && (ranks[s] < 0 || (IsFree(s) && ranks[t] - 1 < ranks[s])))
            {
                ranks[s] = ranks[t] - 1;
            }
        }

        // Drop empty ranks.
        var used = new bool[ranks.Length == 0 ? 0 : ranks.Max() + 1];
        foreach (var r in ranks)
        {
            used[r] = true;
        }

        var compact = new int[used.Length];
        for (int r = 0, next = 0; r < used.Length; r++)
        {
            compact[r] = used[r] ? next++ : -1;
        }

        for (var v = 0; v < count; v++)
        {
            ranks[v] = compact[ranks[v]];
        }

        return ranks;

        bool IsFree(int dataset) => model.Vertices[dataset].Inputs.Length == 0;
    }

    /// <summary>
    /// The global left-to-right order as tokens: a vertex (≥ 0), entering namespace <c>n</c> (<c>-1 - 2n</c>) or
    /// leaving it (<c>-2 - 2n</c>). Within each namespace (and at the top), members — vertices and nested namespaces —
    /// are sorted by key, a namespace's key being the mean of its vertices' keys, ties by index.
    /// </summary>
    private static List<int> GlobalOrder(GraphModel model, List<int> homes, double[] keys)
    {
        var nsCount = model.Namespaces.Count;
        var sums = new double[nsCount];
        var counts = new int[nsCount];
        var rootMembers = new List<(double Key, int Item)>();
        var members = new List<(double Key, int Item)>[nsCount];
        for (var ns = 0; ns < nsCount; ns++)
        {
            members[ns] = [];
        }

        for (var v = 0; v < homes.Count; v++)
        {
            var home = homes[v];
            for (var ns = home; ns >= 0; ns = model.Namespaces[ns].Parent)
            {
                sums[ns] += keys[v];
                counts[ns]++;
            }

            (home >= 0 ? members[home] : rootMembers).Add((keys[v], v));
        }

        for (var ns = 0; ns < nsCount; ns++)
        {
            var key = counts[ns] > 0 ? sums[ns] / counts[ns] : 0;
            var parent = model.Namespaces[ns].Parent;
            (parent >= 0 ? members[parent] : rootMembers).Add((key, -1 - ns));
        }

        var tokens = new List<int>(homes.Count + 2 * nsCount);
        Emit(rootMembers);
        return tokens;

        void Emit(List<(double Key, int Item)> items)
        {
            // Vertices (≥ 0) before namespaces (< 0) on equal keys, then by index: deterministic.
            items.Sort((a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key)
                : (a.Item >= 0) != (b.Item >= 0) ? (a.Item >= 0 ? -1 : 1)
                : Math.Abs(a.Item).CompareTo(Math.Abs(b.Item)));
            foreach (var (_, item) in items)
            {
                if (item >= 0)
                {
                    tokens.Add(item);
                }
                else
                {
                    var ns = -1 - item;
                    tokens.Add(-1 - 2 * ns);
                    Emit(members[ns]);
                    tokens.Add(-2 - 2 * ns);
                }
            }
        }
    }

    /// <summary>
    /// Places the tokens left to right with a cursor per rank: a vertex goes at its rank's cursor; a namespace's left
    /// edge at the furthest cursor of the ranks it spans, which then all move inside it; its right edge past the
    /// furthest of them, which all move past it. So frames never overlap what is outside them.
    /// </summary>
    private static void Place(GraphModel model, List<int> tokens, List<int> ranks, int rankCount, List<double> widths,
        int[] minRank, int[] maxRank, double[] x, (double Left, double Right)[] frames)
    {
        var next = new double[rankCount];
        foreach (var token in tokens)
        {
            if (token >= 0)
            {
                var r = ranks[token];
                x[token] = next[r];
                next[r] += widths[token] + Gap;
                continue;
            }

            var enter = token % 2 != 0; // -1 - 2n is odd, -2 - 2n even
            var ns = enter ? (-1 - token) / 2 : (-2 - token) / 2;
            if (minRank[ns] > maxRank[ns])
            {
                continue;
            }

            if (enter)
            {
                var left = 0.0;
                for (var r = minRank[ns]; r <= maxRank[ns]; r++)
                {
                    left = Math.Max(left, next[r]);
                }

                frames[ns].Left = left;
                for (var r = minRank[ns]; r <= maxRank[ns]; r++)
                {
                    next[r] = left + PadX;
                }
            }
            else
            {
                // Wide enough for the namespace's label.
                var right = frames[ns].Left + LabelWidth(model.Namespaces[ns].FullName) + 2 * PadX;
                for (var r = minRank[ns]; r <= maxRank[ns]; r++)
                {
                    right = Math.Max(right, next[r] - Gap + PadX);
                }

                frames[ns].Right = right;
                for (var r = minRank[ns]; r <= maxRank[ns]; r++)
                {
                    next[r] = right + Gap;
                }
            }
        }
    }
}
