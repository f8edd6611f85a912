namespace PipelineRunner.Pipelines;

/// <summary>
/// How <see cref="Pipeline.Create(Pipeline, ModularPipelineOptions)"/> reuses a pipeline (Kedro's
/// <c>pipeline(pipe, inputs=, outputs=, parameters=, tags=, namespace=, prefix_datasets_with_namespace=)</c>). Every
/// property is optional; with none set the pipeline is returned as it is.
/// </summary>
public sealed class ModularPipelineOptions
{
    /// <summary>Free inputs to keep or rename (not parameters); null for none.</summary>
    public DatasetMapping? Inputs { get; init; }

    /// <summary>Outputs (free or intermediate) to keep or rename; null for none.</summary>
    public DatasetMapping? Outputs { get; init; }

    /// <summary>Parameters to keep or rename; the <c>params:</c> prefix is optional. Null for none.</summary>
    public DatasetMapping? Parameters { get; init; }

    /// <summary>
    /// The namespace: it prefixes node names and node namespaces, and (unless <see cref="PrefixDatasetsWithNamespace"/>
    /// is false) the datasets and parameters not kept or renamed by the mappings. Null or empty for none.
    /// </summary>
    public string? Namespace { get; init; }

    /// <summary>Tags added to every node; null for none.</summary>
    public IEnumerable<string>? Tags { get; init; }

    /// <summary>
    /// Whether the <see cref="Namespace"/> also prefixes dataset and parameter names (<c>ns.data</c>,
    /// <c>params:ns.rate</c>). Default true. False leaves them as they are while nodes still get the namespace, for
    /// grouping nodes (for example for deployment) without renaming their data; the mappings still apply.
    /// </summary>
    public bool PrefixDatasetsWithNamespace { get; init; } = true;
}
