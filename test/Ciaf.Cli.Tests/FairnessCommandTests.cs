using System.Globalization;
using System.Text;
using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary><c>ciaf fairness</c>: a predictions file in, Fairlearn's metrics with intervals out, optionally recorded.</summary>
public sealed class FairnessCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    /// <summary>
    /// 100 women and 100 men, each split evenly over two age groups, and one applicant of another gender. Women: 50 selected,
    /// men: 30. Every fifth row has a negative label; scores are 0.8 for the selected and 0.3 for the others.
    /// </summary>
    private string Predictions(string name = "preds.csv")
    {
        var csv = new StringBuilder("id,gender,age,repaid,approved,probability\n");
        for (int i = 0; i < 200; i++)
        {
            string gender = i < 100 ? "female" : "male";
            bool approved = i < 100 ? i % 2 == 0 : i % 10 < 3;
            csv.Append(CultureInfo.InvariantCulture, $"{i},{gender},{(i % 4 < 2 ? "18-25" : "26-40")},{(i % 5 == 0 ? 0 : 1)},{(approved ? 1 : 0)},{(approved ? "0.8" : "0.3")}\n");
        }
        csv.Append("200,other,18-25,1,1,0.9\n");
        string path = _folder.Combine(name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public async Task Fairness_Json_FairlearnNamesEachWithValueAndInterval()
    {
        string file = Predictions();

        var json = (await Ok("fairness", file, "--group", "gender", "--label", "repaid", "--prediction", "approved", "--score", "probability",
            "--bootstrap", "200", "--json")).Json();

        // Selection rates 50/100 and 30/100.
        Assert.Equal(0.5 - 0.3, (double)json["demographic_parity_difference"]!["value"]!, 1e-12);
        Assert.Equal(0.3 / 0.5, (double)json["demographic_parity_ratio"]!["value"]!, 1e-12);
        foreach (string name in new[] { "demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference", "equal_opportunity_difference" })
        {
            var metric = json[name]!;
            Assert.True((double)metric["ci_low"]! <= (double)metric["value"]! && (double)metric["value"]! <= (double)metric["ci_high"]!, name);
        }
        var female = json["by_group"]!["female"]!;
        Assert.Equal(0.5, (double)female["selection_rate"]!["value"]!, 1e-12);
        foreach (string name in new[] { "selection_rate", "true_positive_rate", "false_positive_rate", "expected_calibration_error" })
        {
            Assert.NotNull(female[name]!["ci_low"]);
        }
        Assert.True((bool)json["by_group"]!["other"]!["too_small"]!);
        Assert.False((bool)json["passes_four_fifths_rule"]!);
        Assert.Equal(["male"], json["groups_below_four_fifths"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(201, (int)json["source"]!["rows"]!);
        Assert.Equal(64, ((string)json["source"]!["sha256"]!).Length);
        Assert.False(Directory.EnumerateFileSystemEntries(_folder.Path).Any(p => p != file), "no store is created without --record");
    }

    [Fact]
    public async Task Fairness_SameSeed_SameOutput_AnotherSeedOtherIntervals()
    {
        string file = Predictions();
        string[] args = ["fairness", file, "-g", "gender", "-l", "repaid", "-p", "approved", "--bootstrap", "100", "--json"];

        string first = (await Ok([.. args, "--seed", "5"])).Stdout;
        string again = (await Ok([.. args, "--seed", "5"])).Stdout;
        string other = (await Ok([.. args, "--seed", "6"])).Stdout;

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Fairness_TwoGroupColumns_IntersectionalGroupsNamedInColumnOrder()
    {
        string file = Predictions();

        var json = (await Ok("fairness", file, "--group", "gender", "--group", "age", "--label", "repaid", "--prediction", "approved",
            "--min-group-size", "20", "--bootstrap", "0", "--json")).Json();

        var groups = json["by_group"]!.AsObject().Select(kv => kv.Key).ToList();
        Assert.Equal(["female & 18-25", "female & 26-40", "male & 18-25", "male & 26-40", "other & 18-25"], groups);
        Assert.Equal(["gender", "age"], json["source"]!["sensitive_features"]!.AsArray().Select(n => (string)n!));
        Assert.Null(json["demographic_parity_difference"]!["ci_low"]);
    }

    [Fact]
    public async Task Fairness_Record_SavesAValidationRecordForTheModel()
    {
        string file = Predictions();
        string store = _folder.Combine("store");

        var json = (await Ok("fairness", file, "-g", "gender", "-l", "repaid", "-p", "approved", "--bootstrap", "50",
            "--record", "credit_model", "--model-version", "2.1.0", "--store", store, "--backend", "sqlite", "--json")).Json();

        string id = (string)json["record_id"]!;
        var record = (await Ok("get", id, "--store", store, "--json")).Json();
        Assert.Equal(("credit_model", "2.1.0", "validation", "fairness_assessment"),
            ((string)record["model_name"]!, (string)record["model_version"]!, (string)record["stage"]!, (string)record["event_type"]!));
        Assert.Equal((double)json["demographic_parity_difference"]!["ci_high"]!, (double)record["metadata"]!["demographic_parity_difference"]!["ci_high"]!);
        Assert.Equal("preds.csv", (string)record["metadata"]!["source"]!["file"]!);
        Assert.Null(record["metadata"]!["record_id"]);
    }

    [Fact]
    public async Task Fairness_Table_ShowsIntervalsTheFourFifthsFlagAndSmallGroups()
    {
        var result = await Ok("fairness", Predictions(), "-g", "gender", "-l", "repaid", "-p", "approved", "--score", "probability", "--bootstrap", "50");

        Assert.Contains("95 % percentile-bootstrap intervals from 50 resamples", result.Stdout);
        Assert.Contains("demographic_parity_difference", result.Stdout);
        Assert.Contains("Four-fifths rule (29 CFR 1607.4(D)): flagged: 'male' below 0.8", result.Stdout);
        Assert.Contains("too small to judge (< 30)", result.Stdout);
        Assert.Contains("Calibration error (ECE)", result.Stdout);
    }

    [Theory]
    [InlineData("id,gender,repaid,approved,probability\n1,f,1,1,0.5\n", "--group", "sex", "'preds.csv' has no column 'sex' (the group column)")]
    [InlineData("gender,repaid,approved,probability\nf,1,1,0.5\nm,yes,1,0.5\n", "--group", "gender", "'preds.csv' row 3, column 'repaid': 'yes' is not a binary label")]
    [InlineData("gender,repaid,approved,probability\nf,1,1,0.5\nm,1,1,1.5\n", "--group", "gender", "'preds.csv' row 3, column 'probability': the score 1.5 is outside [0, 1]")]
    [InlineData("", "--group", "gender", "'preds.csv' is empty")]
    [InlineData("gender,repaid,approved,probability\n", "--group", "gender", "'preds.csv' has a header but no data rows")]
    public async Task Fairness_BadFile_FailsNamingTheColumnOrRow(string csv, string option, string column, string message)
    {
        File.WriteAllText(_folder.Combine("preds.csv"), csv);

        var result = await Run("fairness", "preds.csv", option, column, "--label", "repaid", "--prediction", "approved", "--score", "probability");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("ciaf: error: ", result.Stderr);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public async Task Fairness_BadOptions_AreUsageErrors()
    {
        string file = Predictions();

        Assert.Equal(2, (await Run("fairness", file, "-l", "repaid", "-p", "approved")).ExitCode);   // no --group
        var ci = await Run("fairness", file, "-g", "gender", "-l", "repaid", "-p", "approved", "--ci", "1.5");
        Assert.Equal(2, ci.ExitCode);
        Assert.Contains("--ci must be strictly between 0 and 1", ci.Stderr);
        Assert.Equal(2, (await Run("fairness", file, "-g", "gender", "-l", "repaid", "-p", "approved", "--bootstrap", "-1")).ExitCode);
        var tooFew = await Run("fairness", file, "-g", "gender", "-l", "repaid", "-p", "approved", "--min-group-size", "150");
        Assert.Equal(2, tooFew.ExitCode);
        Assert.Contains("at least two groups with at least 150 observations", tooFew.Stderr);
        var missing = await Run("fairness", _folder.Combine("nope.csv"), "-g", "gender", "-l", "repaid", "-p", "approved");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No such file", missing.Stderr);
    }
}
