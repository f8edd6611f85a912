using PipelineRunner.Pipelines;
using PipelineRunner.Visualization.Internal;

namespace PipelineRunner.Tests.Visualization;

public sealed class GraphLayoutTests
{
    public static TheoryData<string> Pipelines => ["sample", "large", "nested"];

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void Layout_PutsEdgesDownwards_VerticesApart_AndNamespaceFramesAroundTheirMembersOnly(string which)
    {
        var pipeline = which switch
        {
            "sample" => PipelineGraphExportTests.Sample(),
            "large" => PipelineGraphExportTests.Large(),
            _ => Nested(),
        };
        var model = GraphModel.Build(pipeline);
        var layout = GraphLayout.Compute(model);

        foreach (var (s, t) in model.Edges)
        {
            Assert.True(layout.Ranks[s] < layout.Ranks[t], $"{model.Vertices[s].Name} → {model.Vertices[t].Name} does not go down.");
        }

        // Vertices of one rank do not overlap; every box is inside the drawing.
        foreach (var rank in Enumerable.Range(0, model.Vertices.Count).GroupBy(v => layout.Ranks[v]))
        {
            var boxes = rank.Select(v => layout.Vertices[v]).OrderBy(b => b.X).ToList();
            for (var i = 1; i < boxes.Count; i++)
            {
                Assert.True(boxes[i - 1].Right < boxes[i].X, $"Vertices overlap in rank {rank.Key}.");
            }
        }

        Assert.All(layout.Vertices, b => Assert.True(b.X >= 0 && b.Y >= 0 && b.Right <= layout.Width && b.Bottom <= layout.Height));

        for (var n = 0; n < model.Namespaces.Count; n++)
        {
            var frame = layout.Namespaces[n];
            Assert.True(frame.Right <= layout.Width && frame.Bottom <= layout.Height && frame.Y >= 0);
            for (var v = 0; v < model.Vertices.Count; v++)
            {
                var box = layout.Vertices[v];
                if (GraphModel.Contains(model.Namespaces, n, model.Vertices[v].Namespace))
                {
                    Assert.True(Inside(box, frame), $"{model.Vertices[v].Name} is outside the frame of {model.Namespaces[n].FullName}.");
                }
                else
                {
                    Assert.False(Intersects(box, frame), $"{model.Vertices[v].Name} overlaps the frame of {model.Namespaces[n].FullName}.");
                }
            }

            for (var m = n + 1; m < model.Namespaces.Count; m++)
            {
                var other = layout.Namespaces[m];
                if (GraphModel.Contains(model.Namespaces, n, m))
                {
                    Assert.True(Inside(other, frame), $"{model.Namespaces[m].FullName} sticks out of {model.Namespaces[n].FullName}.");
                }
                else if (!GraphModel.Contains(model.Namespaces, m, n))
                {
                    Assert.False(Intersects(other, frame), $"{model.Namespaces[m].FullName} overlaps {model.Namespaces[n].FullName}.");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void EdgesSpanningSeveralRanks_PassBesideVerticesAndFramesTheyDoNotBelongTo(string which)
    {
        var pipeline = which switch
        {
            "sample" => PipelineGraphExportTests.Sample(),
            "large" => PipelineGraphExportTests.Large(),
            _ => Nested(),
        };
        var model = GraphModel.Build(pipeline);
        var layout = GraphLayout.Compute(model);
        var routed = 0;
        for (var e = 0; e < model.Edges.Count; e++)
        {
            var (s, t) = model.Edges[e];
            var route = layout.Routes[e];
            Assert.Equal(Math.Max(0, layout.Ranks[t] - layout.Ranks[s] - 1), route.Count);
            routed += route.Count > 0 ? 1 : 0;
            foreach (var point in route)
            {
                Assert.DoesNotContain(layout.Vertices, b => b.Y < point.Bottom && point.Top < b.Bottom && b.X <= point.X && point.X <= b.Right);
                for (var n = 0; n < model.Namespaces.Count; n++)
                {
                    var frame = layout.Namespaces[n];
                    var inside = GraphModel.Contains(model.Namespaces, n, model.Vertices[s].Namespace) && GraphModel.Contains(model.Namespaces, n, model.Vertices[t].Namespace);
                    if (!inside && frame.Y < point.Bottom && point.Top < frame.Bottom)
                    {
                        Assert.False(frame.X <= point.X && point.X <= frame.Right, $"{model.Vertices[s].Name} → {model.Vertices[t].Name} crosses the frame of {model.Namespaces[n].FullName}.");
                    }
                }
            }
        }

        Assert.True(which != "large" || routed > 900, $"Only {routed} edges were routed.");
    }

    [Fact]
    public void AParameterReadAlongALongChain_IsDrawnDirectly_SoTheRoutesStayLinear()
    {
        // Routing every edge of params:shared would take 3,000²/2 points; past the budget they are drawn directly.
        var nodes = Enumerable.Range(0, 3000)
            .Select(i => Node.Create((int a, int b) => a + b, new[] { i == 0 ? "seed" : $"d{i - 1}", "params:shared" }, $"d{i}", name: $"n{i}"))
            .ToList();
        var model = GraphModel.Build(new Pipeline(nodes));
        var layout = GraphLayout.Compute(model);

        var points = layout.Routes.Sum(r => r.Count);
        Assert.True(points <= 20 * model.Vertices.Count + 1000, $"{points} routing points");
        var shared = model.Vertices.ToList().FindIndex(v => v.Name == "params:shared");
        Assert.All(Enumerable.Range(0, model.Edges.Count).Where(e => model.Edges[e].Source == shared), e => Assert.Empty(layout.Routes[e]));
    }

    [Fact]
    public void Layout_OrdersAChainsNeighboursToAvoidCrossings()
    {
        // Two independent chains given interleaved: each chain ends up in one column.
        var pipeline = new Pipeline([
            Node.Create((int a) => a, "a0", "a1", name: "a1"),
            Node.Create((int b) => b, "b0", "b1", name: "b1"),
            Node.Create((int a) => a, "b1", "a2", name: "z2"),
            Node.Create((int b) => b, "a1", "b2", name: "y2"),
        ]);
        var model = GraphModel.Build(pipeline);
        var layout = GraphLayout.Compute(model);
        foreach (var (s, t) in model.Edges)
        {
            foreach (var (s2, t2) in model.Edges)
            {
                if (layout.Ranks[s] == layout.Ranks[s2] && layout.Ranks[t] == layout.Ranks[t2] && s != s2 && t != t2)
                {
                    var crosses = (layout.Vertices[s].X < layout.Vertices[s2].X) != (layout.Vertices[t].X < layout.Vertices[t2].X);
                    Assert.False(crosses, $"{model.Vertices[s].Name}→{model.Vertices[t].Name} crosses {model.Vertices[s2].Name}→{model.Vertices[t2].Name}.");
                }
            }
        }
    }

    private static Pipeline Nested()
    {
        var inner = new Pipeline([Node.Create((int x) => x, "x", "y", name: "step"), Node.Create((int x) => x, "x", "w", name: "side")]);
        var outer = Pipeline.Create(Pipeline.Create(inner, inputs: "x", @namespace: "inner") + new Pipeline([Node.Create((int y) => y, "inner.y", "z", name: "after")]), inputs: "x", @namespace: "outer");
        var other = Pipeline.Create(new Pipeline([Node.Create((int z, int k) => z + k, new[] { "z", "params:k" }, "q", name: "use")]), inputs: new Dictionary<string, string> { ["z"] = "outer.z" }, @namespace: "other");
        return outer + other + new Pipeline([Node.Create((int x) => x, "x", "plain", name: "plain"), Node.Create((int q) => q, "other.q", "end", name: "final")]);
    }

    private static bool Inside(Box inner, Box outer) =>
        inner.X >= outer.X && inner.Right <= outer.Right && inner.Y >= outer.Y && inner.Bottom <= outer.Bottom;

    private static bool Intersects(Box a, Box b) =>
        a.X < b.Right && b.X < a.Right && a.Y < b.Bottom && b.Y < a.Bottom;
}
