namespace PipelineRunner.Visualization;

/// <summary>
/// The formats a pipeline's graph exports to (<see cref="PipelineGraphExport"/>). Every format shows the same graph:
/// a vertex per node (a box), a vertex per dataset (rounded; transcoded names <c>x@csv</c>, <c>x@parquet</c> are one
/// dataset <c>x</c>, as in Kedro-Viz) with parameters (<c>params:*</c>, <c>parameters</c>) marked as such, edges
/// dataset → node → dataset, and namespaces (modular pipelines) as clusters nested by namespace prefix. A dataset sits
/// in the deepest namespace that prefixes its name and holds every node reading or writing it; the rest sit outside.
/// </summary>
public enum PipelineGraphFormat
{
    /// <summary>
    /// A Mermaid <c>flowchart TB</c>: nodes <c>id["name"]</c>, datasets <c>id(["name"])</c>, parameters
    /// <c>id{{"name"}}</c>, namespaces as nested <c>subgraph</c>s, and the classes <c>task</c>, <c>data</c> and
    /// <c>parameters</c>. Ids are the graph's safe ids (see <see cref="Json"/>).
    /// </summary>
    Mermaid,

    /// <summary>
    /// A Graphviz <c>digraph</c>: nodes as boxes, datasets as ellipses, parameters as dashed ellipses, namespaces as
    /// nested <c>subgraph "cluster_…"</c>. Every id and label is a quoted, escaped string.
    /// </summary>
    Dot,

    /// <summary>
    /// A JSON document for graph views, in the spirit of Kedro-Viz's <c>/api/main</c>, ordered deterministically:
    /// <code>
    /// {
    ///   "schema": "pipelinerunner.graph/1",
    ///   "nodes": [ { "id", "name", "type": "task" | "data" | "parameters", "namespace": string | null,
    ///                "layer": number | null, "tags": [], "inputs": [], "outputs": [], "transcodings": [] } ],
    ///   "edges": [ { "source": id, "target": id } ],
    ///   "modularPipelines": [ { "id", "name", "parent": id | null, "children": [ids], "nodes": [ids],
    ///                           "inputs": [ids], "outputs": [ids] } ],
    ///   "tags": []
    /// }
    /// </code>
    /// <c>nodes</c> holds the pipeline's nodes first, in <see cref="Pipelines.Pipeline.Nodes"/> order, then its datasets
    /// by name (ordinal). An <c>id</c> is <c>task_</c>, <c>data_</c> or <c>param_</c> followed by the name with every
    /// character other than an ASCII letter, digit or <c>_</c> replaced by <c>_</c> (and <c>_2</c>, <c>_3</c>, … on a
    /// clash); <c>name</c> is the node's full name or the dataset's name without transcoding. A node's <c>layer</c> is
    /// its layer in <see cref="Pipelines.Pipeline.Grouped"/> (null for datasets); a node's <c>inputs</c> and
    /// <c>outputs</c> are its datasets as declared (<c>x@csv</c>), a dataset's are the nodes that write it and read it.
    /// A dataset's <c>tags</c> are those of the nodes touching it, its <c>transcodings</c> the formats it is used in.
    /// <c>namespace</c> is the id of the innermost modular pipeline holding the vertex. <c>modularPipelines</c> starts with
    /// <c>__root__</c> (the vertices outside every namespace), then each namespace (its id is the full namespace,
    /// <c>name</c> its last part) with the vertices directly in it and the outside datasets its nodes read and write.
    /// <c>tags</c> lists every node tag. Strings escape <c>&lt; &gt; &amp; ' "</c>, so the document embeds in HTML.
    /// </summary>
    Json,

    /// <summary>
    /// A standalone HTML page (inline CSS, SVG and script; nothing fetched from the network) showing the graph in
    /// layers: node layers from <see cref="Pipelines.Pipeline.Grouped"/>, datasets between them, ordered to reduce
    /// crossings. Clicking a namespace's frame collapses it into one box; hovering shows a vertex's inputs, outputs and
    /// tags.
    /// </summary>
    Html,
}
