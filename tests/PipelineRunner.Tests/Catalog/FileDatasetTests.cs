using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PipelineRunner.Catalog;
using PipelineRunner.Catalog.Configuration;
using PipelineRunner.Catalog.Files;
using PipelineRunner.Datasets;
using PipelineRunner.Pipelines;
using PipelineRunner.Runners;

namespace PipelineRunner.Tests.Catalog;

public sealed record Person(string Name, int Age, List<string> Tags);

public sealed record Measurement(int Id, string Label, double Value, DateTime TakenAt, int? Count, bool Valid);

public sealed class Sensor
{
    public int Id { get; set; }

    public string? Name { get; set; }

    public double Reading { get; set; }

    public long? Samples { get; set; }
}

public enum ShuttleKind
{
    Plane,
    Rocket,
}

public sealed record Engine(string Maker, int Thrust);

/// <summary>A positional record with no parameterless constructor, and an init property outside its constructor.</summary>
public sealed record Shuttle(
    string Id, double Price, int? Seats, string? Company, DateTime ServiceDate, DateOnly Built, TimeOnly Departs, ShuttleKind Kind, decimal Fee,
    long Distance, bool Approved, Guid Serial, Engine? Engine, IReadOnlyList<string> Tags, int[] Ratings)
{
    public string Note { get; init; } = "";

    public bool Equals(Shuttle? other) =>
        other is not null && (Id, Price, Seats, Company, ServiceDate, Built, Departs, Kind, Fee, Distance, Approved, Serial, Engine, Note)
            == (other.Id, other.Price, other.Seats, other.Company, other.ServiceDate, other.Built, other.Departs, other.Kind, other.Fee, other.Distance, other.Approved, other.Serial, other.Engine, other.Note)
        && Tags.SequenceEqual(other.Tags) && Ratings.SequenceEqual(other.Ratings);

    public override int GetHashCode() => HashCode.Combine(Id, Price);
}

public sealed record LowerCaseMeasurement(int id, string label, double value);

public sealed record MeasurementWithUnit(int Id, string Label, string Unit);

public sealed record CountedMeasurement(int Id, int Count);

public sealed record MislabelledMeasurement(int Id, int Label);

public sealed record DefaultedMeasurement(int Id, string Unit = "m");

public sealed record NumberedPerson(string Name, List<int> Tags);

public sealed record TagSetPerson(string Name, HashSet<string> Tags);

public sealed class Exploding
{
    public string Fine => "ok";

    public string Boom => throw new InvalidOperationException("boom while serializing");
}

public class FileDatasetTests : TempDirectoryTest
{
    private static readonly Measurement[] Measurements =
    [
        new(1, "plain", 1.5, new DateTime(2024, 5, 1, 12, 30, 15, 123, DateTimeKind.Utc), 3, true),
        new(2, "comma, \"quoted\"", -0.25, new DateTime(2024, 5, 2, 0, 0, 0, DateTimeKind.Utc), null, false),
    ];

    [Fact]
    public async Task Text_RoundTripsUtf8WithoutBom()
    {
        var path = PathOf("notes", "a.txt");
        var dataset = new TextDataset(path);

        await dataset.SaveAsync("héllo\nwörld");

        Assert.Equal("héllo\nwörld", await dataset.LoadAsync(typeof(object)));
        Assert.Equal(Encoding.UTF8.GetBytes("héllo\nwörld"), await File.ReadAllBytesAsync(path));
        Assert.True(await dataset.ExistsAsync());
        Assert.False(dataset.IsEphemeral);
    }

    [Fact]
    public async Task Text_SavingANonStringFailsNamingThePath()
    {
        var path = PathOf("a.txt");
        var ex = await Assert.ThrowsAsync<DatasetException>(() => new TextDataset(path).SaveAsync(42).AsTask());
        Assert.Equal($"Failed to save TextDataset to '{path}': TextDataset saves a string, not Int32. (Parameter 'data')", ex.Message);
        Assert.Empty(Directory.GetFileSystemEntries(Root));
    }

    [Fact]
    public async Task Json_RoundTripsTypedRecordsAndLoadsJsonNodeForObject()
    {
        var path = PathOf("person.json");
        var dataset = new JsonDataset(path, indented: true);

        await dataset.SaveAsync(new Person("Ada", 36, ["math", "code"]));

        var loaded = Assert.IsType<Person>(await dataset.LoadAsync(typeof(Person)));
        Assert.Equal("Ada", loaded.Name);
        Assert.Equal(36, loaded.Age);
        Assert.Equal(["math", "code"], loaded.Tags);
        var node = Assert.IsAssignableFrom<JsonNode>(await dataset.LoadAsync(typeof(object)));
        Assert.Equal("Ada", node["Name"]!.GetValue<string>());
        Assert.Equal(36, node["Age"]!.GetValue<int>());
        Assert.StartsWith("{\n  \"Name\": \"Ada\",", (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(true, dataset.Describe()["indented"]);
    }

    [Fact]
    public async Task Csv_RoundTripsTypedRecords()
    {
        var path = PathOf("measurements.csv");
        var dataset = new CsvDataset(path);

        await dataset.SaveAsync(Measurements.ToList());

        var lines = (await File.ReadAllTextAsync(path)).Split("\r\n");
        Assert.Equal("Id,Label,Value,TakenAt,Count,Valid", lines[0]);
        Assert.Equal("1,plain,1.5,2024-05-01T12:30:15.1230000Z,3,True", lines[1]);
        Assert.Equal("2,\"comma, \"\"quoted\"\"\",-0.25,2024-05-02T00:00:00.0000000Z,,False", lines[2]);

        var list = Assert.IsType<List<Measurement>>(await dataset.LoadAsync(typeof(List<Measurement>)));
        Assert.Equal(Measurements, list);
        var array = Assert.IsType<Measurement[]>(await dataset.LoadAsync(typeof(Measurement[])));
        Assert.Equal(Measurements, array);
        Assert.Equal(Measurements, Assert.IsAssignableFrom<IReadOnlyList<Measurement>>(await dataset.LoadAsync(typeof(IReadOnlyList<Measurement>))));
        Assert.Equal(DateTimeKind.Utc, list[0].TakenAt.Kind);
    }

    [Fact]
    public async Task Csv_RoundTripsClassesWithoutHeaderAndCustomDelimiter()
    {
        var path = PathOf("sensors.csv");
        var dataset = new CsvDataset(path, delimiter: ';', hasHeader: false);
        Sensor[] sensors = [new() { Id = 7, Name = "north; east", Reading = 0.1, Samples = null }, new() { Id = 8, Name = "", Reading = 2, Samples = 10 }];

        await dataset.SaveAsync(sensors);

        Assert.Equal("7;\"north; east\";0.1;\r\n8;;2;10\r\n", await File.ReadAllTextAsync(path));
        var loaded = Assert.IsType<List<Sensor>>(await dataset.LoadAsync(typeof(IEnumerable<Sensor>)));
        Assert.Equal([7, 8], loaded.Select(s => s.Id));
        Assert.Equal(["north; east", ""], loaded.Select(s => s.Name));
        Assert.Equal([0.1, 2.0], loaded.Select(s => s.Reading));
        Assert.Equal([null, 10L], loaded.Select(s => s.Samples));
        Assert.Equal(
            new Dictionary<string, object?> { ["type"] = "CsvDataset", ["filepath"] = path, ["version"] = null, ["delimiter"] = ";", ["has_header"] = false },
            dataset.Describe());
    }

    [Fact]
    public async Task Csv_LoadsRowsAsDictionariesWhenTheTypeIsObject()
    {
        var path = PathOf("cars.csv");
        await File.WriteAllTextAsync(path, "make,model,year\nVolvo,\"V70, estate\",1998\nSaab,900,1985\n");

        var rows = Assert.IsType<List<Dictionary<string, string>>>(await new CsvDataset(path).LoadAsync(typeof(object)));

        Assert.Equal(2, rows.Count);
        Assert.Equal(new Dictionary<string, string> { ["make"] = "Volvo", ["model"] = "V70, estate", ["year"] = "1998" }, rows[0]);
        Assert.Equal(new Dictionary<string, string> { ["make"] = "Saab", ["model"] = "900", ["year"] = "1985" }, rows[1]);
    }

    [Fact]
    public async Task Csv_SavesDictionariesWithTheUnionOfTheirKeys()
    {
        var path = PathOf("rows.csv");
        var dataset = new CsvDataset(path);
        List<Dictionary<string, object?>> rows = [new() { ["a"] = 1L, ["b"] = "x" }, new() { ["b"] = "y", ["c"] = 2.5 }];

        await dataset.SaveAsync(rows);

        Assert.Equal("a,b,c\r\n1,x,\r\n,y,2.5\r\n", await File.ReadAllTextAsync(path));
        var loaded = Assert.IsType<List<Dictionary<string, string>>>(await dataset.LoadAsync(typeof(object)));
        Assert.Equal("2.5", loaded[1]["c"]);
        var interfaces = Assert.IsType<List<IDictionary<string, string>>>(await dataset.LoadAsync(typeof(IList<IDictionary<string, string>>)));
        Assert.Equal("", interfaces[1]["a"]);
    }

    [Fact]
    public async Task Csv_ReportsMissingColumnsAndUnparsableFields()
    {
        var missing = PathOf("missing.csv");
        await File.WriteAllTextAsync(missing, "Id,Name,Reading\n1,a,0.5\n");
        var bad = PathOf("bad.csv");
        await File.WriteAllTextAsync(bad, "Id,Name,Reading,Samples\n1,a,0.5,\nabc,b,1,2\n");

        var ex1 = await Assert.ThrowsAsync<DatasetException>(() => new CsvDataset(missing).LoadAsync(typeof(List<Sensor>)).AsTask());
        var ex2 = await Assert.ThrowsAsync<DatasetException>(() => new CsvDataset(bad).LoadAsync(typeof(List<Sensor>)).AsTask());
        var ex3 = await Assert.ThrowsAsync<DatasetException>(() => new CsvDataset(bad).LoadAsync(typeof(Dictionary<string, int>)).AsTask());
        var ragged = PathOf("ragged.csv");
        await File.WriteAllTextAsync(ragged, "a,b\n1,2\n3\n");
        var ex5 = await Assert.ThrowsAsync<DatasetException>(() => new CsvDataset(ragged).LoadAsync(typeof(object)).AsTask());
        var ex4 = await Assert.ThrowsAsync<DatasetException>(() => new CsvDataset(PathOf("ints.csv")).SaveAsync(new[] { 1, 2 }).AsTask());

        Assert.Equal(
            $"Failed to load CsvDataset from '{missing}' as List<Sensor>: column 'Samples' required by Sensor is not in the header [Id, Name, Reading]",
            ex1.Message);
        Assert.StartsWith(
            $"Failed to load CsvDataset from '{bad}' as List<Sensor>: record 2: cannot read 'abc' as Int32 for member 'Id': ",
            ex2.Message,
            StringComparison.Ordinal);
        Assert.Contains("CsvDataset loads into List<T>, T[], IEnumerable<T>", ex3.Message, StringComparison.Ordinal);
        Assert.Equal($"Failed to load CsvDataset from '{ragged}' as Object: record 2 has 1 fields but the header has 2.", ex5.Message);
        Assert.EndsWith("CsvDataset saves records with properties (or dictionaries), not plain Int32 values.", ex4.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessagePack_RoundTripsTypedRecordsAndRefusesObject()
    {
        var path = PathOf("model.msgpack");
        var dataset = new MessagePackDataset(path);
        var person = new Person("Grace", 85, ["cobol"]);

        await dataset.SaveAsync(person);

        var loaded = Assert.IsType<Person>(await dataset.LoadAsync(typeof(Person)));
        Assert.Equal(("Grace", 85), (loaded.Name, loaded.Age));
        Assert.Equal(["cobol"], loaded.Tags);
        var ex = await Assert.ThrowsAsync<DatasetException>(() => dataset.LoadAsync(typeof(object)).AsTask());
        Assert.Contains("MessagePackDataset needs a concrete type to load into: give the consuming node parameter a concrete type", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{path}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parquet_RoundTripsRecordsAndRefusesObject()
    {
        var path = PathOf("sensors.parquet");
        var dataset = new ParquetDataset(path);
        List<Sensor> sensors = [new() { Id = 1, Name = "a", Reading = 0.5, Samples = 3 }, new() { Id = 2, Name = null, Reading = -1, Samples = null }];

        await dataset.SaveAsync(sensors);

        var loaded = Assert.IsType<Sensor[]>(await dataset.LoadAsync(typeof(Sensor[])));
        Assert.Equal([1, 2], loaded.Select(s => s.Id));
        Assert.Equal(["a", null], loaded.Select(s => s.Name));
        Assert.Equal([0.5, -1.0], loaded.Select(s => s.Reading));
        Assert.Equal([3L, null], loaded.Select(s => s.Samples));
        Assert.IsType<List<Sensor>>(await dataset.LoadAsync(typeof(IReadOnlyCollection<Sensor>)));
        var ex = await Assert.ThrowsAsync<DatasetException>(() => dataset.LoadAsync(typeof(object)).AsTask());
        Assert.Contains("ParquetDataset needs a concrete type to load into: give the consuming node parameter a collection type", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parquet_RoundTripsPositionalRecords()
    {
        var path = PathOf("shuttles.parquet");
        var dataset = new ParquetDataset(path);
        Shuttle[] shuttles =
        [
            new("s1", 1325.5, 4, "Acme", new DateTime(2024, 5, 1, 12, 30, 15, 123), new DateOnly(2019, 3, 4), new TimeOnly(6, 30, 5), ShuttleKind.Rocket,
                12.75m, 9_000_000_000, true, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), new Engine("Rolls", 42), ["fast", "new"], [5, 4])
            {
                Note = "first",
            },
            new("s2", -0.25, null, null, new DateTime(1999, 12, 31), new DateOnly(1990, 1, 1), TimeOnly.MinValue, ShuttleKind.Plane,
                0m, 0, false, Guid.Empty, null, [], []),
        ];

        await dataset.SaveAsync(shuttles.ToList());

        var loaded = Assert.IsType<Shuttle[]>(await dataset.LoadAsync(typeof(Shuttle[])));
        Assert.Equal(shuttles, loaded);
        Assert.Equal(shuttles, Assert.IsType<List<Shuttle>>(await dataset.LoadAsync(typeof(IReadOnlyList<Shuttle>))));
        Assert.Equal(Measurements, Assert.IsType<List<Measurement>>(await RoundTripAsync(Measurements, typeof(List<Measurement>))));
    }

    [Fact]
    public async Task Parquet_ConstructorParametersMatchColumnsIgnoringCase_AndParametersWithDefaultsMayBeMissing()
    {
        var lower = Assert.IsType<List<LowerCaseMeasurement>>(await RoundTripAsync(Measurements, typeof(List<LowerCaseMeasurement>)));
        Assert.Equal([new(1, "plain", 1.5), new(2, "comma, \"quoted\"", -0.25)], lower);

        var defaulted = Assert.IsType<List<DefaultedMeasurement>>(await RoundTripAsync(Measurements, typeof(List<DefaultedMeasurement>)));
        Assert.Equal([new(1, "m"), new(2, "m")], defaulted);
    }

    [Fact]
    public async Task Parquet_RecordsThatCannotBeBuilt_FailNamingTheTypeAndWhatIsMissing()
    {
        var path = PathOf("measurements.parquet");
        var dataset = new ParquetDataset(path);
        await dataset.SaveAsync(Measurements);

        async Task<string> LoadError(Type type) => (await Assert.ThrowsAsync<DatasetException>(() => dataset.LoadAsync(type).AsTask())).Message;

        Assert.Equal(
            $"Failed to load ParquetDataset from '{path}' as List<MeasurementWithUnit>: MeasurementWithUnit needs column 'Unit' for its constructor parameter 'Unit', "
            + "but the file has only [Id, Label, Value, TakenAt, Count, Valid].",
            await LoadError(typeof(List<MeasurementWithUnit>)));
        Assert.Equal(
            $"Failed to load ParquetDataset from '{path}' as CountedMeasurement[]: row 2: column 'Count' is null, but member 'Count' of CountedMeasurement is Int32, which cannot be null.",
            await LoadError(typeof(CountedMeasurement[])));
        Assert.Equal(
            $"Failed to load ParquetDataset from '{path}' as List<MislabelledMeasurement>: row 1: column 'Label' holds String values, which do not convert to member 'Label' of MislabelledMeasurement (Int32).",
            await LoadError(typeof(List<MislabelledMeasurement>)));
        Assert.Equal(
            $"Failed to load ParquetDataset from '{path}' as List<Person>: member 'Tags' of Person is List<String>, but column 'Tags' holds single values.",
            (await Assert.ThrowsAsync<DatasetException>(async () =>
            {
                await new ParquetDataset(path).SaveAsync(new[] { new { Name = "Ada", Age = 36, Tags = "math" } });
                await dataset.LoadAsync(typeof(List<Person>));
            })).Message);

        await dataset.SaveAsync(new[] { new Person("Ada", 36, ["math"]) });
        Assert.Equal(
            $"Failed to load ParquetDataset from '{path}' as List<NumberedPerson>: row 1: column 'Tags' holds String values, which do not convert to member 'Tags' of NumberedPerson (Int32).",
            await LoadError(typeof(List<NumberedPerson>)));
        Assert.Equal(
            $"Failed to load ParquetDataset from '{path}' as List<TagSetPerson>: member 'Tags' of TagSetPerson is HashSet<String>, but column 'Tags' holds lists, "
            + "which load into List<T>, T[], IEnumerable<T>, IList<T>, ICollection<T>, IReadOnlyList<T> or IReadOnlyCollection<T>.",
            await LoadError(typeof(List<TagSetPerson>)));
    }

    [Fact]
    public async Task Parquet_PositionalRecordsFlowThroughACatalogConfiguredInYaml()
    {
        const string yaml = """
            measurements:
              type: pandas.ParquetDataset
              filepath: data/02_intermediate/measurements.parquet
            """;
        var catalog = CatalogConfiguration.FromYaml(yaml, new CatalogLoadOptions { BaseDirectory = Root });
        catalog.AddValues([new("raw", Measurements)]);
        var pipeline = new Pipeline([
            Node.Create((Measurement[] raw) => raw.Select(m => m with { Value = m.Value * 2 }).ToList(), "raw", "measurements", name: "double"),
            Node.Create((List<Measurement> measured) => measured.Sum(m => m.Value), "measurements", "total", name: "sum"),
        ]);

        var outputs = await new SequentialRunner().RunAsync(pipeline, catalog);

        Assert.Equal(2.5, outputs["total"]);
        Assert.True(File.Exists(PathOf("data", "02_intermediate", "measurements.parquet")));
        Assert.Equal(Measurements.Select(m => m with { Value = m.Value * 2 }), await catalog.LoadAsync<Measurement[]>("measurements"));
    }

    private async Task<object?> RoundTripAsync<T>(IEnumerable<T> records, Type loadAs)
    {
        var dataset = new ParquetDataset(PathOf(Guid.NewGuid().ToString("N") + ".parquet"));
        await dataset.SaveAsync(records);
        return await dataset.LoadAsync(loadAs);
    }

    [Fact]
    public async Task MissingFile_ErrorNamesThePath()
    {
        var path = PathOf("data", "x.csv");
        var dataset = new CsvDataset(path);

        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => dataset.LoadAsync(typeof(object)).AsTask());
        Assert.Equal($"File not found: '{path}'.", ex.Message);
        Assert.Equal(path, ex.FileName);
        Assert.False(await dataset.ExistsAsync());

        var catalog = new DataCatalog([new("cars", dataset)]);
        var wrapped = await Assert.ThrowsAsync<DatasetException>(() => catalog.LoadAsync("cars").AsTask());
        Assert.Equal("cars", wrapped.DatasetName);
        Assert.Contains($"File not found: '{path}'.", wrapped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedSave_LeavesThePreviousFileAndNoTemporaryFiles()
    {
        var path = PathOf("out", "result.json");
        var dataset = new JsonDataset(path);
        await dataset.SaveAsync(new Person("Ada", 36, []));
        var before = await File.ReadAllTextAsync(path);

        var ex = await Assert.ThrowsAsync<DatasetException>(() => dataset.SaveAsync(new Exploding()).AsTask());

        Assert.Equal($"Failed to save JsonDataset to '{path}': boom while serializing", ex.Message);
        Assert.Equal(before, await File.ReadAllTextAsync(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(PathOf("out")));
    }

    [Fact]
    public async Task CancelledSave_WritesNothing()
    {
        var path = PathOf("cancelled.txt");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TextDataset(path).SaveAsync("x", cts.Token).AsTask());

        Assert.Empty(Directory.GetFileSystemEntries(Root));
    }

    [Fact]
    public async Task Versioning_SavesTimestampedVersionsAndLoadsLatestOrPinned()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 12, 30, 15, 123, TimeSpan.Zero));
        var path = PathOf("data", "model.txt");
        var dataset = new TextDataset(path, new DatasetVersion(), time);

        Assert.False(await dataset.ExistsAsync());
        var none = await Assert.ThrowsAsync<DatasetException>(() => dataset.LoadAsync(typeof(string)).AsTask());
        Assert.Equal($"Did not find any versions for TextDataset at '{path}'.", none.Message);

        await dataset.SaveAsync("first");
        time.Advance(TimeSpan.FromSeconds(1.5));
        await dataset.SaveAsync("second");

        Assert.Equal(
            ["2024-05-01T12.30.15.123Z", "2024-05-01T12.30.16.623Z"],
            Directory.GetDirectories(path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("second", await File.ReadAllTextAsync(Path.Combine(path, "2024-05-01T12.30.16.623Z", "model.txt")));
        Assert.True(await dataset.ExistsAsync());
        Assert.Equal("2024-05-01T12.30.16.623Z", dataset.ResolveLoadVersion());
        Assert.Equal("second", await dataset.LoadAsync(typeof(string)));

        var pinned = new TextDataset(path, new DatasetVersion(LoadVersion: "2024-05-01T12.30.15.123Z"));
        Assert.Equal("first", await pinned.LoadAsync(typeof(string)));
        Assert.Equal("Version(load=2024-05-01T12.30.15.123Z, save=None)", pinned.Describe()["version"]!.ToString());
    }

    [Fact]
    public async Task Versioning_SavingAnExistingVersionFailsNamingThePath()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 2, 3, 4, 5, 6, TimeSpan.Zero));
        var path = PathOf("model.json");
        var dataset = new JsonDataset(path, version: new DatasetVersion(), timeProvider: time);
        await dataset.SaveAsync(1);

        var sameTime = await Assert.ThrowsAsync<DatasetVersionExistsException>(() => dataset.SaveAsync(2).AsTask());
        var pinned = new JsonDataset(path, version: new DatasetVersion(SaveVersion: "2024-01-02T03.04.05.006Z"));
        var pinnedEx = await Assert.ThrowsAsync<DatasetVersionExistsException>(() => pinned.SaveAsync(3).AsTask());

        var versioned = Path.Combine(path, "2024-01-02T03.04.05.006Z", "model.json");
        Assert.Equal($"Save path '{versioned}' for JsonDataset(filepath={path}) must not exist if versioning is enabled: version '2024-01-02T03.04.05.006Z' was already saved.", sameTime.Message);
        Assert.Equal(sameTime.Message, pinnedEx.Message);
        Assert.Equal("1", await File.ReadAllTextAsync(versioned));
    }

    [Fact]
    public async Task Versioning_MissingPinnedVersionIsFileNotFound()
    {
        var path = PathOf("m.txt");
        var dataset = new TextDataset(path, new DatasetVersion(LoadVersion: "2020-01-01T00.00.00.000Z"));

        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => dataset.LoadAsync(typeof(string)).AsTask());

        Assert.Equal($"File not found: '{Path.Combine(path, "2020-01-01T00.00.00.000Z", "m.txt")}'.", ex.Message);
        Assert.Throws<ArgumentException>(() => new TextDataset(path, new DatasetVersion(SaveVersion: "../escape")));
    }
}
