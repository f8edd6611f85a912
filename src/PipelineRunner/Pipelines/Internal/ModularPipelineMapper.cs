namespace PipelineRunner.Pipelines.Internal;

/// <summary>
/// Kedro's <c>pipeline(pipe, inputs=, outputs=, parameters=, namespace=, prefix_datasets_with_namespace=)</c>:
/// validates and applies a mapping.
/// </summary>
internal static class ModularPipelineMapper
{
    public static Pipeline Map(
        Pipeline pipe, DatasetMapping? inputs, DatasetMapping? outputs, DatasetMapping? parameters, string? @namespace, bool prefixDatasets)
    {
        var inputMap = inputs?.Pairs ?? new Dictionary<string, string>();
        var outputMap = outputs?.Pairs ?? new Dictionary<string, string>();
        var parameterMap = NormalizeParameters(parameters);
        ValidateExist(pipe, inputMap.Keys, outputMap.Keys, parameterMap.Keys);
        ValidateInputsOutputs(pipe, inputMap.Keys, outputMap.Keys);

        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var map in new[] { inputMap, outputMap, parameterMap })
        {
            foreach (var (from, to) in map)
            {
                DatasetNames.Validate(to, $"the modular pipeline mapping of '{from}'");
                mapping[from] = to;
            }
        }

        string Rename(string name)
        {
            if (mapping.TryGetValue(name, out var mapped))
            {
                return mapped;
            }

            if (name == DatasetNames.AllParameters)
            {
                return name;
            }

            var (baseName, format) = DatasetNames.SplitTranscoding(name);
            if (format.Length > 0 && mapping.TryGetValue(baseName, out var mappedBase))
            {
                return mappedBase + DatasetNames.TranscodingSeparator + format;
            }

            if (@namespace is null || !prefixDatasets)
            {
                return name; // without prefixing, only the mappings rename datasets and parameters
            }

            return DatasetNames.IsSingleParameter(name)
                ? $"{DatasetNames.ParameterPrefix}{@namespace}.{name[DatasetNames.ParameterPrefix.Length..]}"
                : $"{@namespace}.{name}";
        }

        var nodes = pipe.Nodes.Select(n =>
        {
            var newNamespace = @namespace is null ? n.Namespace : n.Namespace is null ? @namespace : $"{@namespace}.{n.Namespace}";
            return n.WithDatasets(Rename, newNamespace);
        });
        return new Pipeline(nodes);
    }

    private static Dictionary<string, string> NormalizeParameters(DatasetMapping? parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parameters is null)
        {
            return result;
        }

        static string Normalize(string name) => DatasetNames.IsSingleParameter(name) ? name : DatasetNames.ParameterPrefix + name;
        foreach (var (from, to) in parameters.Pairs)
        {
            if (from == DatasetNames.AllParameters)
            {
                result[from] = from;
            }
            else
            {
                result[Normalize(from)] = Normalize(to);
            }
        }

        return result;
    }

    private static void ValidateExist(Pipeline pipe, IEnumerable<string> inputs, IEnumerable<string> outputs, IEnumerable<string> parameters)
    {
        var existing = pipe.Datasets().Select(DatasetNames.StripTranscoding).ToHashSet(StringComparer.Ordinal);
        var missing = inputs.Concat(outputs).Select(DatasetNames.StripTranscoding).Concat(parameters)
            .Where(n => !existing.Contains(n)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var message = missing.Count == 1
            ? $"{missing[0]} does not exist in the pipeline."
            : $"The following datasets and/or parameters do not exist in the pipeline: {string.Join(", ", missing)}.";
        var close = CloseNames.Find(missing, existing);
        throw new PipelineException(
            "Failed to map datasets and/or parameters onto the nodes provided: " + message +
            (close.Count > 0 ? $" - did you mean one of these instead: {string.Join(", ", close)}" : string.Empty));
    }

    private static void ValidateInputsOutputs(Pipeline pipe, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        var inputSet = inputs.Select(DatasetNames.StripTranscoding).ToHashSet(StringComparer.Ordinal);
        var outputSet = outputs.Select(DatasetNames.StripTranscoding).ToHashSet(StringComparer.Ordinal);
        if (inputSet.Any(DatasetNames.IsParameter))
        {
            throw new PipelineException("Parameters should be specified in the 'parameters' argument");
        }

        var free = pipe.Inputs().Select(DatasetNames.StripTranscoding).ToHashSet(StringComparer.Ordinal);
        var notFree = inputSet.Where(i => !free.Contains(i)).Order(StringComparer.Ordinal).ToList();
        if (notFree.Count > 0)
        {
            throw new PipelineException(
                $"Inputs must not be outputs from another node in the same pipeline: [{string.Join(", ", notFree)}]");
        }

        var freeOutputs = outputSet.Where(free.Contains).Order(StringComparer.Ordinal).ToList();
        if (freeOutputs.Count > 0)
        {
            throw new PipelineException(
                $"All outputs must be generated by some node within the pipeline: [{string.Join(", ", freeOutputs)}]");
        }
    }
}
