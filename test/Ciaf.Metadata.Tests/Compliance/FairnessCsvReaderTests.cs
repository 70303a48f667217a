using Ciaf.Metadata.Compliance;

namespace Ciaf.Metadata.Tests.Compliance;

public sealed class FairnessCsvReaderTests
{
    private static IReadOnlyList<FairnessObservation> Read(string csv, string[]? groups = null, string? score = "score") =>
        FairnessCsvReader.Read(new StringReader(csv), groups ?? ["gender"], "approved", "repaid", score, "preds.csv");

    private static string Error(string csv, string[]? groups = null, string? score = "score") =>
        Assert.Throws<InvalidDataException>(() => Read(csv, groups, score)).Message;

    [Fact]
    public void Read_Columns_ByHeaderNameInAnyOrder()
    {
        var rows = Read("score,repaid,gender,approved\n0.8,1,female,1\n0.3, false ,male,0\n0.55,TRUE,female,1.0\n");

        Assert.Equal(
            [new FairnessObservation("female", true, true, 0.8), new FairnessObservation("male", false, false, 0.3), new FairnessObservation("female", true, true, 0.55)],
            rows);
    }

    [Fact]
    public void Read_SeveralGroupColumns_IntersectionalNamesInColumnOrder()
    {
        var rows = Read("gender,age,approved,repaid,score\nfemale,18-25,1,1,0.9\nmale,26-40,0,1,0.4\n", ["gender", "age"]);

        Assert.Equal(["female & 18-25", "male & 26-40"], rows.Select(r => r.Group));
        Assert.Equal(["18-25 & female"], Read("gender,age,approved,repaid,score\nfemale,18-25,1,1,0.9\n", ["age", "gender"]).Select(r => r.Group));
    }

    [Fact]
    public void Read_TwoCombinationsWithTheSameName_Refused()
    {
        string message = Error("a,b,approved,repaid,score\nx & y,z,1,1,0.5\nx,y & z,1,1,0.5\n", ["a", "b"]);

        Assert.Contains("row 3", message, StringComparison.Ordinal);
        Assert.Contains("'x & y & z'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_QuotedFieldsWithCommas_ReadAsOneValue()
    {
        var rows = Read("gender,approved,repaid,score\n\"Native Hawaiian, Pacific Islander\",1,0,0.25\n");

        Assert.Equal("Native Hawaiian, Pacific Islander", Assert.Single(rows).Group);
    }

    [Theory]
    [InlineData("", "'preds.csv' is empty")]
    [InlineData("gender,approved,repaid,score\n", "'preds.csv' has a header but no data rows")]
    [InlineData("sex,approved,repaid,score\nf,1,1,0.5\n", "'preds.csv' has no column 'gender' (the group column) Its columns are: 'sex', 'approved', 'repaid', 'score'.")]
    [InlineData("Gender,approved,repaid,score\nf,1,1,0.5\n", "has no column 'gender' (the group column); did you mean 'Gender'?")]
    [InlineData("gender,approved,score\nf,1,0.5\n", "has no column 'repaid' (the label column)")]
    [InlineData("gender,approved,repaid,approved,score\nf,1,1,1,0.5\n", "has two columns named 'approved' (the prediction column)")]
    [InlineData("gender,approved,repaid,score\nf,1,1,0.5\nm,0,2,0.5\n", "'preds.csv' row 3, column 'repaid': '2' is not a binary label (expected 0 or 1, true or false).")]
    [InlineData("gender,approved,repaid,score\nf,yes,1,0.5\n", "'preds.csv' row 2, column 'approved': 'yes' is not a binary prediction")]
    [InlineData("gender,approved,repaid,score\nf,1,1,1.2\n", "'preds.csv' row 2, column 'score': the score 1.2 is outside [0, 1].")]
    [InlineData("gender,approved,repaid,score\nf,1,1,-0.1\n", "the score -0.1 is outside [0, 1]")]
    [InlineData("gender,approved,repaid,score\nf,1,1,NaN\n", "the score NaN is outside [0, 1]")]
    [InlineData("gender,approved,repaid,score\nf,1,1,high\n", "row 2, column 'score': 'high' is not a number")]
    [InlineData("gender,approved,repaid,score\n,1,1,0.5\n", "row 2, column 'gender': the group value is empty")]
    [InlineData("gender,approved,repaid,score\nf,1,1\n", "row 2 has 3 fields; the header has 4.")]
    public void Read_BadInput_NamesTheRowAndColumn(string csv, string message)
    {
        Assert.Contains(message, Error(csv), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ScoreColumnWithoutLabelColumn_IsAnArgumentError()
    {
        Assert.Throws<ArgumentException>(() => FairnessCsvReader.Read(new StringReader("g,p,s\na,1,0.5\n"), ["g"], "p", null, "s"));
    }

    [Fact]
    public void ReadFile_Utf8WithBom_ReadsTheFirstHeader()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "gender,approved,repaid,score\nf,1,1,0.5\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

            var rows = FairnessCsvReader.ReadFile(path, ["gender"], "approved", "repaid", "score");

            Assert.Equal("f", Assert.Single(rows).Group);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
