using System.Globalization;

namespace Spaceflights;

/// <summary>The node functions: plain static methods, as in Kedro's spaceflights tutorial.</summary>
public static class Nodes
{
    public static List<CleanCompany> PreprocessCompanies(List<Company> companies) =>
        companies.Select(c => new CleanCompany
        {
            Id = c.Id,
            IataApproved = c.IataApproved == "t",
            CompanyRating = string.IsNullOrWhiteSpace(c.CompanyRating)
                ? null
                : double.Parse(c.CompanyRating.TrimEnd('%'), CultureInfo.InvariantCulture) / 100,
        }).ToList();

    public static List<CleanShuttle> PreprocessShuttles(List<Shuttle> shuttles) =>
        shuttles.Select(s => new CleanShuttle
        {
            Id = s.Id,
            Engines = s.Engines,
            PassengerCapacity = s.PassengerCapacity,
            Crew = s.Crew,
            DCheckComplete = s.DCheckComplete == "t",
            MoonClearanceComplete = s.MoonClearanceComplete == "t",
            Price = double.Parse(s.Price.TrimStart('$').Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture),
            CompanyId = s.CompanyId,
        }).ToList();

    public static List<ModelInputRow> CreateModelInputTable(List<CleanShuttle> shuttles, List<CleanCompany> companies, List<Review> reviews)
    {
        var companyById = companies.ToDictionary(c => c.Id);
        var reviewByShuttle = reviews.Where(r => r.ReviewScoresRating is not null).ToDictionary(r => r.ShuttleId);
        return shuttles
            .Where(s => reviewByShuttle.ContainsKey(s.Id) && companyById.TryGetValue(s.CompanyId, out var c) && c.CompanyRating is not null)
            .Select(s =>
            {
                var company = companyById[s.CompanyId];
                return new ModelInputRow
                {
                    ShuttleId = s.Id,
                    Engines = s.Engines,
                    PassengerCapacity = s.PassengerCapacity,
                    Crew = s.Crew,
                    DCheckComplete = s.DCheckComplete ? 1 : 0,
                    MoonClearanceComplete = s.MoonClearanceComplete ? 1 : 0,
                    IataApproved = company.IataApproved ? 1 : 0,
                    CompanyRating = company.CompanyRating!.Value,
                    ReviewScoresRating = reviewByShuttle[s.Id].ReviewScoresRating!.Value,
                    Price = s.Price,
                };
            })
            .ToList();
    }

    public static Split SplitData(List<ModelInputRow> table, ModelOptions options)
    {
        if (options.TestSize is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"model_options.test_size must be between 0 and 1, but was {options.TestSize}.");
        }

        var shuffled = table.OrderBy(r => r.ShuttleId).ToArray();
        new Random(options.RandomState).Shuffle(shuffled);
        var testCount = (int)Math.Round(shuffled.Length * options.TestSize);
        double[] Row(ModelInputRow r) => options.Features.Select(r.Feature).ToArray();
        var test = shuffled[..testCount];
        var train = shuffled[testCount..];
        return new Split(train.Select(Row).ToArray(), test.Select(Row).ToArray(), train.Select(r => r.Price).ToArray(), test.Select(r => r.Price).ToArray());
    }

    /// <summary>Ordinary least squares with an intercept, solving the normal equations by Gaussian elimination.</summary>
    public static LinearModel TrainModel(Split split, ModelOptions options)
    {
        var n = split.XTrain.Length;
        var p = options.Features.Count + 1;
        var a = new double[p, p + 1];
        for (var row = 0; row < n; row++)
        {
            var x = new double[p];
            x[0] = 1;
            Array.Copy(split.XTrain[row], 0, x, 1, p - 1);
            for (var i = 0; i < p; i++)
            {
                for (var j = 0; j < p; j++)
                {
                    a[i, j] += x[i] * x[j];
                }

                a[i, p] += x[i] * split.YTrain[row];
            }
        }

        for (var col = 0; col < p; col++)
        {
            var pivot = Enumerable.Range(col, p - col).MaxBy(r => Math.Abs(a[r, col]));
            if (Math.Abs(a[pivot, col]) < 1e-12)
            {
                throw new InvalidOperationException($"The features are collinear; cannot fit '{(col == 0 ? "intercept" : options.Features[col - 1])}'.");
            }

            for (var k = 0; k <= p; k++)
            {
                (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            }

            for (var r = 0; r < p; r++)
            {
                if (r == col)
                {
                    continue;
                }

                var factor = a[r, col] / a[col, col];
                for (var k = col; k <= p; k++)
                {
                    a[r, k] -= factor * a[col, k];
                }
            }
        }

        var beta = Enumerable.Range(0, p).Select(i => a[i, p] / a[i, i]).ToArray();
        return new LinearModel { Features = options.Features, Intercept = beta[0], Coefficients = beta[1..] };
    }

    public static Metrics EvaluateModel(LinearModel model, Split split)
    {
        var predictions = split.XTest.Select(model.Predict).ToArray();
        var mean = split.YTest.Average();
        var residual = split.YTest.Zip(predictions, (y, f) => (y - f) * (y - f)).Sum();
        var total = split.YTest.Sum(y => (y - mean) * (y - mean));
        return new Metrics(
            R2: Math.Round(1 - (residual / total), 4),
            MeanAbsoluteError: Math.Round(split.YTest.Zip(predictions, (y, f) => Math.Abs(y - f)).Average(), 2),
            RootMeanSquaredError: Math.Round(Math.Sqrt(residual / split.YTest.Length), 2),
            TrainRows: split.XTrain.Length,
            TestRows: split.XTest.Length);
    }
}
