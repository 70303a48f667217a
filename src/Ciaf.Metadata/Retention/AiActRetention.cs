using System.Collections.Frozen;
using System.Globalization;

namespace Ciaf.Metadata.Retention;

/// <summary>
/// The EU AI Act's retention minimums (Regulation (EU) 2024/1689), which cleanup applies to a store declared high-risk
/// (config <c>ai_act_high_risk</c>, <see cref="Storage.MetadataStorageOptions.AiActHighRisk"/>): it refuses to remove a
/// log younger than <see cref="LogMinimumDays"/> days (Art. 19(1) for providers, Art. 26(6) for deployers: "at least six
/// months") or a documentation record younger than <see cref="DocumentationMinimumYears"/> years (Art. 18(1)), whatever
/// the retention settings or the cleanup's age ask for. Refused items are reported as protected, the article in the reason.
/// </summary>
/// <remarks>
/// <para>
/// Documentation is what Annex IV asks the technical documentation to describe: the data (<c>data_ingestion</c>,
/// <c>data_preprocessing</c>: Annex IV 2(d)), the design and training (<c>training</c>: 2(b), 2(c)), validation and
/// testing (<c>validation</c>: 2(g)), the versions put into service and the changes through the life cycle
/// (<c>deployment</c>, <c>model_lifecycle</c>: 1(d), 6) and the quality-management and conformity evidence
/// (<c>compliance</c> records and compliance events: Arts. 17, 18(1)(a), (e)). Every other stage — <c>inference</c>,
/// <c>monitoring</c> and any stage of the application's own — is an automatically generated log in the sense of Art. 12.
/// Stage names are compared without case.
/// </para>
/// <para>
/// Ages are measured from each record's own timestamp, like every retention rule of the store. Art. 18 counts its ten
/// years from when the system is placed on the market or put into service, which the store does not know: for
/// documentation written before that date, place a legal hold on the model to keep it longer.
/// </para>
/// </remarks>
public static class AiActRetention
{
    /// <summary>The minimum age, in days, before cleanup may remove a log: six months, as 183 days (Arts. 19(1), 26(6)).</summary>
    public const int LogMinimumDays = 183;

    /// <summary>The minimum age, in years, before cleanup may remove documentation (Art. 18(1)).</summary>
    public const int DocumentationMinimumYears = 10;

    /// <summary>The articles that keep logs, as named in a refusal.</summary>
    public const string LogArticles = "EU AI Act Art. 19(1) and Art. 26(6)";

    /// <summary>The article that keeps documentation, as named in a refusal.</summary>
    public const string DocumentationArticle = "EU AI Act Art. 18(1)";

    /// <summary>The stages whose records are documentation (kept 10 years); every other stage is a log (kept 183 days).</summary>
    public static IReadOnlySet<string> DocumentationStages { get; } = new[]
    {
        PipelineStages.DataIngestion, PipelineStages.DataPreprocessing, PipelineStages.Training, PipelineStages.Validation,
        PipelineStages.Deployment, PipelineStages.Compliance, PipelineStages.ModelLifecycle,
        // The provider's declared facts and the post-market monitoring plans, checks and incidents (Annex IV points 1–9).
        Governance.GovernanceStages.Documentation, Governance.GovernanceStages.PostMarket,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether records of <paramref name="stage"/> are documentation (Art. 18) rather than logs (Art. 12).</summary>
    /// <param name="stage">A stage name.</param>
    public static bool IsDocumentation(string stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return DocumentationStages.Contains(stage);
    }

    /// <summary>
    /// Why a high-risk store must keep an item at <paramref name="now"/>, naming the article, or <c>null</c> when the Act's
    /// minimum has passed. An item is kept while it is younger than the minimum: at exactly 183 days (10 years) it may go.
    /// </summary>
    /// <param name="kind">A record (judged by its stage) or a compliance event (documentation).</param>
    /// <param name="stage">The record's stage; ignored for a compliance event.</param>
    /// <param name="timestamp">The item's own timestamp.</param>
    /// <param name="now">The time of the cleanup.</param>
    internal static string? Refusal(CleanupItemKind kind, string? stage, DateTimeOffset timestamp, DateTimeOffset now)
    {
        bool documentation = kind == CleanupItemKind.ComplianceEvent || (stage is not null && IsDocumentation(stage));
        var keptUntil = documentation ? timestamp.AddYears(DocumentationMinimumYears) : timestamp.AddDays(LogMinimumDays);
        if (keptUntil <= now) return null;
        string age = ((int)(now - timestamp).TotalDays).ToString(CultureInfo.InvariantCulture);
        string until = keptUntil.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return documentation
            ? $"refused: {DocumentationArticle} keeps the documentation of a high-risk AI system {DocumentationMinimumYears} years; "
              + $"this {What(kind, stage)} is {age} days old (kept until {until} UTC)"
            : $"refused: {LogArticles} keep the logs of a high-risk AI system at least six months ({LogMinimumDays} days); "
              + $"this {What(kind, stage)} is {age} days old (kept until {until} UTC)";
    }

    private static string What(CleanupItemKind kind, string? stage) =>
        kind == CleanupItemKind.ComplianceEvent ? "compliance event" : $"'{stage}' record";
}
