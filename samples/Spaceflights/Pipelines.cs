using PipelineRunner.Pipelines;

namespace Spaceflights;

/// <summary>The sample's pipelines, registered by name like Kedro's pipeline registry.</summary>
public static class SpaceflightsPipelines
{
    public static Pipeline DataProcessing() => new(
        [
            Node.Create(Nodes.PreprocessCompanies, "companies", "preprocessed_companies", name: "preprocess_companies_node"),
            Node.Create(Nodes.PreprocessShuttles, "shuttles", "preprocessed_shuttles", name: "preprocess_shuttles_node"),
            Node.Create(
                Nodes.CreateModelInputTable,
                new[] { "preprocessed_shuttles", "preprocessed_companies", "reviews" },
                "model_input_table",
                name: "create_model_input_table_node"),
        ],
        tags: ["preprocessing"]);

    /// <summary>The reusable modelling pipeline; namespaced once per model variant.</summary>
    public static Pipeline DataScienceTemplate() => new(
        [
            Node.Create(Nodes.SplitData, new[] { "model_input_table", "params:model_options" }, "split", name: "split_data_node"),
            Node.Create(Nodes.TrainModel, new[] { "split", "params:model_options" }, "regressor", name: "train_model_node", tags: ["training"]),
            Node.Create(Nodes.EvaluateModel, new[] { "regressor", "split" }, "metrics", name: "evaluate_model_node"),
        ]);

    public static Pipeline DataScience() =>
        Pipeline.Create(DataScienceTemplate(), inputs: "model_input_table", @namespace: "active_modelling_pipeline")
        + Pipeline.Create(DataScienceTemplate(), inputs: "model_input_table", @namespace: "candidate_modelling_pipeline");

    public static IReadOnlyDictionary<string, Pipeline> All()
    {
        var dataProcessing = DataProcessing();
        var dataScience = DataScience();
        return new Dictionary<string, Pipeline>
        {
            ["data_processing"] = dataProcessing,
            ["data_science"] = dataScience,
            ["__default__"] = dataProcessing + dataScience,
        };
    }
}
