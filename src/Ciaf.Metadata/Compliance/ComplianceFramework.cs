using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// A compliance framework: turns evidence (a JSON object) into a score and findings. The six built-in
/// frameworks derive from it; derive from it to add your own and register it with
/// <see cref="ComplianceTracker.RegisterFramework"/>, then assess with <see cref="ComplianceTracker.TrackCompliance"/>.
/// </summary>
/// <example>
/// <code>
/// sealed class ModelCardFramework() : ComplianceFramework("MODEL_CARD")
/// {
///     public override ComplianceEvaluation Assess(JsonObject evidence)
///     {
///         bool met = evidence["intended_use"] is not null;
///         return new(met ? 1.0 : 0.0, [new("intended_use", met, 1.0, met ? 1.0 : 0.0, met ? "documented" : "missing")]);
///     }
/// }
/// </code>
/// </example>
public abstract class ComplianceFramework
{
    /// <summary>Creates a framework with the given name.</summary>
    /// <param name="name">The framework name, e.g. <c>GDPR</c>; the stored event type is its lower case plus <c>_compliance</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    protected ComplianceFramework(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The framework name, e.g. <c>GDPR</c> or <c>ISO_13485</c>.</summary>
    public string Name { get; }

    /// <summary>The event type a tracked assessment is stored under: <c>&lt;name lower&gt;_compliance</c> (the reference's naming).</summary>
    public virtual string EventType => Name.ToLowerInvariant() + "_compliance";

    /// <summary>Scores the evidence. Must not throw on missing or ill-typed evidence: a missing input earns nothing and gets a finding saying so.</summary>
    /// <param name="evidence">The evidence, as stored next to the score (without <c>compliance_score</c>, <c>findings</c> and <c>assessment_date</c>).</param>
    /// <returns>The score in [0, 1] and one finding per requirement.</returns>
    public abstract ComplianceEvaluation Assess(JsonObject evidence);
}
