namespace Ciaf.Metadata.Governance;

/// <summary>The event types of the governance records (stage in brackets); docs/governance.md shows each one's fields.</summary>
public static class GovernanceEvents
{
    /// <summary><c>use_started</c> (<c>operation</c>): a use of the system began (Art. 12(3)(a)); its record id is the use id.</summary>
    public const string UseStarted = "use_started";
    /// <summary><c>use_ended</c> (<c>operation</c>): a use ended; holds the whole period, <c>started_at</c> and <c>ended_at</c> (Art. 12(3)(a)).</summary>
    public const string UseEnded = "use_ended";
    /// <summary><c>input_checked</c> (<c>operation</c>): the reference data an input was checked against, and whether it matched (Art. 12(3)(b), (c)).</summary>
    public const string InputChecked = "input_checked";
    /// <summary><c>human_oversight</c> (<c>operation</c>): a person verified a result, confirming or overriding it (Art. 12(3)(d), 14).</summary>
    public const string HumanOversight = "human_oversight";
    /// <summary><c>risk_situation</c> (<c>operation</c>): a situation that may present a risk within Art. 79(1) (Art. 12(2)(a)).</summary>
    public const string RiskSituation = "risk_situation";
    /// <summary><c>substantial_modification</c> (<c>model_lifecycle</c>): a substantial modification and its trigger (Art. 3(23), 12(2)(a)).</summary>
    public const string SubstantialModification = "substantial_modification";
    /// <summary><c>facts_declared</c> (<c>documentation</c>): declared facts, one key per fact (<see cref="DeclaredFacts"/>).</summary>
    public const string FactsDeclared = "facts_declared";
    /// <summary><c>monitoring_plan</c> (<c>post_market</c>): the post-market monitoring plan (Art. 72(3)); the newest one is in force.</summary>
    public const string MonitoringPlan = "monitoring_plan";
    /// <summary><c>monitoring_check</c> (<c>post_market</c>): one evaluation of the plan (Art. 72(2)).</summary>
    public const string MonitoringCheck = "monitoring_check";
    /// <summary><c>incident_opened</c> (<c>post_market</c>): a serious incident and its reporting deadline (Art. 73); its record id is the incident id.</summary>
    public const string IncidentOpened = "incident_opened";
    /// <summary><c>incident_updated</c> (<c>post_market</c>): news about an incident, a report to the authority (initial or complete), a note.</summary>
    public const string IncidentUpdated = "incident_updated";
    /// <summary><c>incident_closed</c> (<c>post_market</c>): the incident was closed, with its resolution.</summary>
    public const string IncidentClosed = "incident_closed";
}
