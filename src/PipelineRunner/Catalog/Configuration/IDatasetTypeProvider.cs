namespace PipelineRunner.Catalog.Configuration;

/// <summary>
/// A set of dataset types a package registers in a <see cref="DatasetTypeRegistry"/>, e.g. the file formats of the
/// <c>PipelineRunner.Datasets</c> package. Name it with <see cref="DatasetTypeProviderAttribute"/> on the package's assembly.
/// </summary>
public interface IDatasetTypeProvider
{
    /// <summary>Registers the package's types and their Kedro aliases.</summary>
    /// <param name="registry">The registry to add them to.</param>
    void Register(DatasetTypeRegistry registry);
}

/// <summary>
/// Names the <see cref="IDatasetTypeProvider"/> of an assembly. <see cref="DatasetTypeRegistry.CreateDefault"/> applies
/// the providers of the <c>PipelineRunner.Datasets</c> package when the app references it.
/// </summary>
/// <param name="providerType">A public type implementing <see cref="IDatasetTypeProvider"/> with a public parameterless constructor.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class DatasetTypeProviderAttribute(Type providerType) : Attribute
{
    /// <summary>The provider's type.</summary>
    public Type ProviderType { get; } = providerType ?? throw new ArgumentNullException(nameof(providerType));
}
