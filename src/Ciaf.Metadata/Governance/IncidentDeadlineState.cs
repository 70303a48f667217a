namespace Ciaf.Metadata.Governance;

/// <summary>Where an incident stands against its Art. 73 reporting deadline.</summary>
public enum IncidentDeadlineState
{
    /// <summary>Not reported yet; the deadline has not passed (at the deadline itself it is still due).</summary>
    Due,
    /// <summary>Not reported and the deadline has passed.</summary>
    Overdue,
    /// <summary>A report (an initial, incomplete one counts, Art. 73(5)) was made by the deadline.</summary>
    Reported,
    /// <summary>The first report was made after the deadline.</summary>
    ReportedLate,
}
