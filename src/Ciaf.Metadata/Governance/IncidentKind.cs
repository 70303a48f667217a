namespace Ciaf.Metadata.Governance;

/// <summary>
/// The kinds of serious incident Art. 73 sets reporting deadlines for. The CLI and the records spell them in
/// snake_case: <c>death</c>, <c>serious</c>, <c>widespread</c>, <c>critical_infrastructure</c>, <c>other</c>.
/// </summary>
public enum IncidentKind
{
    /// <summary>The death of a person (Art. 73(4)): report within 10 days of awareness.</summary>
    Death,
    /// <summary>A serious incident of any other kind (Art. 3(49), 73(2)): within 15 days.</summary>
    Serious,
    /// <summary>A widespread infringement (Art. 3(61), 73(3)): within 2 days.</summary>
    Widespread,
    /// <summary>A serious and irreversible disruption of critical infrastructure (Art. 3(49)(b), 73(3)): within 2 days.</summary>
    CriticalInfrastructure,
    /// <summary>Anything else recorded as an incident; given the general 15 days of Art. 73(2).</summary>
    Other,
}
