using System.Text.Json.Nodes;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Governance;

public sealed class ModelCardDocumentTests
{
    [Fact]
    public async Task Build_FilledFromTheStore_IsValidAgainstTheModelCardToolkitSchema()
    {
        await using var p = await GovernedPipeline.CreateAsync();
        var card = await ModelCardDocument.BuildAsync(p.Storage, GovernedPipeline.Model);
        Assert.True(ModelCardSchema.Errors(card.ToJson()).Count == 0, string.Join("\n", ModelCardSchema.Errors(card.ToJson())));
        var json = JsonNode.Parse(card.ToJson())!;
        Assert.Equal("0.0.2", (string?)json["schema_version"]);
        Assert.Equal("Risk team", (string?)json["model_details"]!["owners"]![0]!["name"]);
        Assert.Equal(GovernedPipeline.Version, (string?)json["model_details"]!["version"]!["name"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", (string?)json["model_details"]!["version"]!["date"]);
        Assert.Equal("Apache-2.0", (string?)json["model_details"]!["licenses"]![0]!["identifier"]);
        Assert.Contains("LogisticRegression", (string?)json["model_parameters"]!["model_architecture"]);
        Assert.Equal(["gender"], json["model_parameters"]!["data"]![0]!["sensitive"]!["sensitive_data"]!.AsArray().Select(n => (string?)n));
        var metrics = json["quantitative_analysis"]!["performance_metrics"]!.AsArray();
        Assert.Contains(metrics, m => (string?)m!["type"] == "accuracy" && (string?)m["value"] == "0.8" && m["slice"] is null);
        // Slices per group from the validation record's counts: 100 women, of whom i % 3 != 0 were approved.
        var female = metrics.Single(m => (string?)m!["type"] == "selection_rate" && (string?)m["slice"] == "gender=female")!;
        Assert.Equal("0.66", (string?)female["value"]);
        Assert.Contains(metrics, m => (string?)m!["type"] == "true_positive_rate" && (string?)m["slice"] == "gender=male");
        Assert.Equal(["users", "use_cases", "limitations", "tradeoffs", "ethical_considerations"], json["considerations"]!.AsObject().Select(kv => kv.Key));
        Assert.True(card.Gaps.Count == 0, string.Join("\n", card.Gaps));
    }

    [Fact]
    public async Task Build_WithoutDeclaredFacts_StillValidates_AndListsEachGapWithTheCommand()
    {
        await using var p = await GovernedPipeline.CreateAsync(declareFacts: false);
        var card = await ModelCardDocument.BuildAsync(p.Storage, GovernedPipeline.Model);
        Assert.True(ModelCardSchema.Errors(card.ToJson()).Count == 0, string.Join("\n", ModelCardSchema.Errors(card.ToJson())));
        Assert.Contains(card.Gaps, g => g.StartsWith("model_details.owners:", StringComparison.Ordinal) && g.Contains("ciaf docs declare credit_model --fact owners="));
        Assert.Contains(card.Gaps, g => g.StartsWith("considerations.limitations:", StringComparison.Ordinal));
        Assert.Contains(card.Gaps, g => g.StartsWith("model_details.licenses:", StringComparison.Ordinal));
        Assert.Equal(p.Storage.UserId, (string?)JsonNode.Parse(card.ToJson())!["model_details"]!["owners"]![0]!["name"]);
        Assert.Contains("## Gaps", card.ToMarkdown());
        Assert.Contains("<h2>Gaps</h2>", card.ToHtml());
    }

    [Fact]
    public void Schema_RejectsWhatItShould_SoTheValidationIsReal()
    {
        Assert.NotEmpty(ModelCardSchema.Errors("""{"schema_version": "0.0.2", "gaps": []}"""));
        Assert.NotEmpty(ModelCardSchema.Errors("""{"model_details": {"version": {"date": "yesterday"}}}"""));
        Assert.NotEmpty(ModelCardSchema.Errors("""{"quantitative_analysis": {"performance_metrics": [{"type": "accuracy", "value": 0.8}]}}"""));
        Assert.Empty(ModelCardSchema.Errors("""{"model_details": {"name": "m", "version": {"name": "1", "date": "2026-03-01"}}}"""));
    }
}
