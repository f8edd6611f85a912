using PipelineRunner.Pipelines.Internal;

namespace PipelineRunner.Tests.Pipelines;

public class CloseNamesTests
{
    [Fact]
    public void Find_KeepsUpToThreeNamesOfSimilarityAtLeast06_MostSimilarFirst()
    {
        string[] candidates = ["split_data", "split_date", "split_dat", "splits_data", "train_model", "s"];

        // 2·LCS / (|a| + |b|): split_data 18/19, splits_data 18/20, split_dat 16/18, split_date 16/19 (fourth, dropped);
        // train_model and s are below 0.6.
        Assert.Equal(["split_data", "splits_data", "split_dat"], CloseNames.Find("splt_data", candidates));
        Assert.Empty(CloseNames.Find("zzz", candidates));
        Assert.Empty(CloseNames.Find("anything", []));
    }

    [Fact]
    public void Find_ForSeveralNames_GivesEachNamesSuggestionsInTurnOnce()
    {
        string[] candidates = ["companies", "shuttles", "reviews"];
        Assert.Equal(["shuttles", "companies"], CloseNames.Find(["shutles", "compnies", "shuttle", "zzz"], candidates));
    }

    [Fact]
    public void DidYouMean_IsEmptyWithoutSuggestions() =>
        Assert.Equal((" Did you mean: [a, b]?", string.Empty), (CloseNames.DidYouMean(["a", "b"]), CloseNames.DidYouMean([])));
}
