using Ciaf.Metadata.Compliance;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>One stored fairness analysis (a <see cref="FairnessReport"/> kept in a record), the newest of its kind.</summary>
/// <param name="Source">Where it was found: the stage and the metadata path (e.g. <c>validation: fairness.gender</c>).</param>
/// <param name="RecordId">The record holding it.</param>
/// <param name="Timestamp">The record's time.</param>
/// <param name="Report">The metrics, recomputed from the stored group counts.</param>
public sealed record FairnessPanel(string Source, string RecordId, DateTimeOffset Timestamp, FairnessReport Report);
