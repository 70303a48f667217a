namespace Ciaf.Metadata.Governance;

/// <summary>
/// The stages the EU AI Act governance records are written to (docs/governance.md). They are ordinary stages: every
/// record is searchable with the filter language (<c>stage = 'operation' AND event_type = 'human_oversight'</c>).
/// </summary>
public static class GovernanceStages
{
    /// <summary><c>operation</c>: the Article 12 event log of a system in use (periods of use, input checks, human oversight, risk situations).</summary>
    public const string Operation = "operation";

    /// <summary><c>documentation</c>: facts the provider declares for the Annex IV documentation and the model card.</summary>
    public const string Documentation = "documentation";

    /// <summary><c>post_market</c>: the Article 72 monitoring plan and its checks, and the Article 73 incidents.</summary>
    public const string PostMarket = "post_market";
}
