namespace Spaceflights;

/// <summary>A row of companies.csv.</summary>
public sealed class Company
{
    public int Id { get; set; }

    public string? CompanyRating { get; set; }

    public string CompanyLocation { get; set; } = "";

    public int TotalFleetCount { get; set; }

    public string IataApproved { get; set; } = "";
}

/// <summary>A row of shuttles.csv.</summary>
public sealed class Shuttle
{
    public int Id { get; set; }

    public string ShuttleLocation { get; set; } = "";

    public string ShuttleType { get; set; } = "";

    public string EngineType { get; set; } = "";

    public string EngineVendor { get; set; } = "";

    public int Engines { get; set; }

    public int PassengerCapacity { get; set; }

    public string CancellationPolicy { get; set; } = "";

    public int Crew { get; set; }

    public string DCheckComplete { get; set; } = "";

    public string MoonClearanceComplete { get; set; } = "";

    public string Price { get; set; } = "";

    public int CompanyId { get; set; }
}

/// <summary>A row of reviews.csv.</summary>
public sealed class Review
{
    public int ShuttleId { get; set; }

    public double? ReviewScoresRating { get; set; }

    public int NumberOfReviews { get; set; }
}

/// <summary>A company after cleaning.</summary>
public sealed class CleanCompany
{
    public int Id { get; set; }

    public double? CompanyRating { get; set; }

    public bool IataApproved { get; set; }
}

/// <summary>A shuttle after cleaning.</summary>
public sealed class CleanShuttle
{
    public int Id { get; set; }

    public int Engines { get; set; }

    public int PassengerCapacity { get; set; }

    public int Crew { get; set; }

    public bool DCheckComplete { get; set; }

    public bool MoonClearanceComplete { get; set; }

    public double Price { get; set; }

    public int CompanyId { get; set; }
}

/// <summary>One row of the model input table: features by name and the target price.</summary>
public sealed class ModelInputRow
{
    public int ShuttleId { get; set; }

    public double Engines { get; set; }

    public double PassengerCapacity { get; set; }

    public double Crew { get; set; }

    public double DCheckComplete { get; set; }

    public double MoonClearanceComplete { get; set; }

    public double IataApproved { get; set; }

    public double CompanyRating { get; set; }

    public double ReviewScoresRating { get; set; }

    public double Price { get; set; }

    public double Feature(string name) => name switch
    {
        "engines" => Engines,
        "passenger_capacity" => PassengerCapacity,
        "crew" => Crew,
        "d_check_complete" => DCheckComplete,
        "moon_clearance_complete" => MoonClearanceComplete,
        "iata_approved" => IataApproved,
        "company_rating" => CompanyRating,
        "review_scores_rating" => ReviewScoresRating,
        _ => throw new ArgumentException($"Unknown feature '{name}'. Known: engines, passenger_capacity, crew, d_check_complete, moon_clearance_complete, iata_approved, company_rating, review_scores_rating."),
    };
}

/// <summary>The model options in parameters.yml.</summary>
public sealed record ModelOptions(double TestSize, int RandomState, List<string> Features);

/// <summary>A train/test split: feature matrices and targets.</summary>
public sealed record Split(double[][] XTrain, double[][] XTest, double[] YTrain, double[] YTest);

/// <summary>A fitted linear model: intercept and one coefficient per feature.</summary>
public sealed class LinearModel
{
    public List<string> Features { get; set; } = [];

    public double Intercept { get; set; }

    public double[] Coefficients { get; set; } = [];

    public double Predict(double[] x)
    {
        var y = Intercept;
        for (var i = 0; i < x.Length; i++)
        {
            y += Coefficients[i] * x[i];
        }

        return y;
    }
}

/// <summary>Evaluation metrics, written as JSON.</summary>
public sealed record Metrics(double R2, double MeanAbsoluteError, double RootMeanSquaredError, int TrainRows, int TestRows);
