using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;

namespace PipelineRunner.Tests.Catalog;

/// <summary>Kedro's credentials files and <c>credentials: NAME</c>: resolved into the definition, never shown.</summary>
public sealed class CredentialsTests : TempDirectoryTest
{
    private const string Secret = "s3cr3t-Pa55";

    private string Conf => PathOf("conf");

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(Conf, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private ConfigLoader Loader(string? environment = null) => new(new ConfigLoaderOptions { ConfigurationSource = Conf, Environment = environment });

    /// <summary>A registry with a type that accepts credentials and records the definitions it was given.</summary>
    private static (DatasetTypeRegistry Registry, List<DatasetDefinition> Seen) RecordingRegistry()
    {
        var seen = new List<DatasetDefinition>();
        var registry = DatasetTypeRegistry.CreateDefault();
        registry.Register("SqlTableDataset", definition =>
        {
            definition.EnsureSupportedOptions("table", DatasetDefinition.CredentialsOption);
            seen.Add(definition);
            return new GreetingDataset(definition.GetOption("table", string.Empty));
        });
        return (registry, seen);
    }

    [Fact]
    public void CredentialsName_ResolvesFromCredentialsFiles_TheRunEnvironmentOverridingBase_AndEnvironmentVariables()
    {
        var variable = "PR_TEST_SECRET_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Secret);
        try
        {
            Write("base/credentials.yml", "db:\n  con: postgresql://base\ns3:\n  key: AKIA\n  secret: ${oc.env:" + variable + "}\n  region: ${oc.env:PR_TEST_UNSET_" + Guid.NewGuid().ToString("N") + ", eu-west-1}\n");
            Write("local/credentials.yml", "db:\n  con: postgresql://local\n");
            Write("base/catalog.yml", "orders:\n  type: SqlTableDataset\n  table: orders\n  credentials: db\nlake:\n  type: SqlTableDataset\n  credentials: s3\ninline:\n  type: SqlTableDataset\n  credentials: {token: abc}\n");
            var (registry, seen) = RecordingRegistry();

            var catalog = Loader().CreateCatalog(new CatalogLoadOptions { BaseDirectory = Root, Registry = registry });

            Assert.Equal(["orders", "lake", "inline", "parameters"], catalog.ListDatasets());
            var orders = seen.Single(d => d.Name == "orders");
            Assert.Equal("db", orders.CredentialsName);
            Assert.Equal("postgresql://local", orders.Credentials!["con"]);
            Assert.False(orders.Options.ContainsKey("credentials"));
            var lake = seen.Single(d => d.Name == "lake");
            Assert.Equal(Secret, lake.Credentials!["secret"]);
            Assert.Equal("eu-west-1", lake.Credentials["region"]);
            Assert.Equal("abc", seen.Single(d => d.Name == "inline").Credentials!["token"]);
            Assert.Null(seen.Single(d => d.Name == "inline").CredentialsName);

            Assert.Equal("orders: type=SqlTableDataset, filepath=None, versioned=False, options=[table], credentials='db' (hidden)", orders.ToString());
            Assert.DoesNotContain(Secret, lake.ToString(), StringComparison.Ordinal);
            Assert.EndsWith("credentials=(inline, hidden)", seen.Single(d => d.Name == "inline").ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void FactoryPatterns_ResolveCredentials_ForEveryMatchedName()
    {
        Write("base/credentials.yml", $"db:\n  con: {Secret}\n");
        Write("base/catalog.yml", "\"{table}_sql\":\n  type: SqlTableDataset\n  table: \"{table}\"\n  credentials: db\n");
        var (registry, seen) = RecordingRegistry();
        var catalog = Loader().CreateCatalog(new CatalogLoadOptions { Registry = registry });

        Assert.Equal("orders", Assert.IsType<GreetingDataset>(catalog.GetDataset("orders_sql")).Greeting);

        var orders = seen.Single(d => d.Name == "orders_sql");
        Assert.Equal(Secret, orders.Credentials!["con"]);
        Assert.Equal("db", orders.CredentialsName);
    }

    [Fact]
    public void MissingCredentials_FailNamingTheDatasetAndTheName_WithCloseNames()
    {
        Write("base/credentials.yml", $"db_creds:\n  con: {Secret}\n");
        Write("base/catalog.yml", "orders:\n  type: SqlTableDataset\n  credentials: db_cred\n");

        var error = Assert.ThrowsAny<DatasetException>(() => Loader().CreateCatalog(new CatalogLoadOptions { Registry = RecordingRegistry().Registry }));

        Assert.IsType<CatalogConfigurationException>(error);
        Assert.Equal("orders", error.DatasetName);
        Assert.Equal(
            "Unable to find credentials 'db_cred' for dataset 'orders': no credentials file defines it; check your data catalog and credentials configuration. Did you mean: [db_creds]?",
            error.Message);
    }

    [Fact]
    public void CredentialsErrors_NeverShowTheirValues()
    {
        var variable = "PR_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        Write("base/credentials.yml", $"token: {Secret}\nkeys:\n  secret: ${{oc.env:{variable}}}\n  backup: '{Secret}'\n");
        Write("base/catalog.yml", "orders:\n  type: SqlTableDataset\n  credentials: token\n");

        var unset = Assert.Throws<CatalogConfigurationException>(() => Loader().GetCredentials());
        Write("base/credentials.yml", $"token: {Secret}\n");
        var notMapping = Assert.Throws<CatalogConfigurationException>(() => Loader().CreateCatalog(new CatalogLoadOptions { Registry = RecordingRegistry().Registry }));
        var inlineText = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            $"orders:\n  type: SqlTableDataset\n  credentials: [{Secret}]\n", new CatalogLoadOptions { Registry = RecordingRegistry().Registry }));

        Assert.Equal(
            $"Cannot resolve interpolation in '{Path.Combine(Conf, "base", "credentials.yml")}' at 'keys.secret': environment variable '{variable}' is not set and no default value provided.",
            unset.Message);
        Assert.Equal(
            "Credentials 'token' used by dataset 'orders' must be a mapping of keys to values (such as con: ..., or key: and secret:).",
            notMapping.Message);
        Assert.Equal(
            "Catalog entry 'orders' has an invalid 'credentials': expected the name of credentials in a credentials file, or a mapping.",
            inlineText.Message);
        Write("base/credentials.yml", $"{Secret}\n");
        var notAMappingFile = Assert.Throws<CatalogConfigurationException>(() => Loader().GetCredentials());
        Assert.Equal($"The credentials in '{Path.Combine(Conf, "base", "credentials.yml")}' must be a mapping at the top level, not a single value.", notAMappingFile.Message);
        Assert.All([unset, notMapping, inlineText, notAMappingFile], e => Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void DatasetTypesThatDoNotTakeCredentials_RejectThem()
    {
        var error = Assert.Throws<CatalogConfigurationException>(() => CatalogConfiguration.FromYaml(
            "notes:\n  type: TextDataset\n  filepath: notes.txt\n  credentials: db\n",
            new CatalogLoadOptions { Credentials = new Dictionary<string, object?> { ["db"] = new Dictionary<string, object?> { ["con"] = Secret } } }));

        Assert.Equal("Dataset 'notes' (TextDataset) has unsupported option(s) 'credentials'; supported: none.", error.Message);
    }

    [Fact]
    public void DuplicateCredentialsInOneEnvironment_AreAnError_WithoutValues()
    {
        Write("base/credentials.yml", $"db:\n  con: {Secret}\n");
        Write("base/credentials/more.yml", $"db:\n  con: {Secret}x\n");

        var error = Assert.Throws<CatalogConfigurationException>(() => Loader().GetCredentials());

        Assert.Equal(
            $"Duplicate keys found in '{Path.Combine(Conf, "base", "credentials.yml")}' and '{Path.Combine(Conf, "base", "credentials", "more.yml")}': 'db'. One environment may define credentials only once.",
            error.Message);
    }
}
