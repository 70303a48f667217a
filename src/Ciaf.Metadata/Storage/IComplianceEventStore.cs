namespace Ciaf.Metadata.Storage;

/// <summary>A backend capability: keeping compliance events (<c>AddComplianceEvent</c>, cleanup, export, migration, verify).</summary>
public interface IComplianceEventStore
{
    /// <summary>Writes compliance events durably; idempotent by id.</summary>
    ValueTask WriteComplianceEventsAsync(IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default);

    /// <summary>The compliance events matching <paramref name="query"/>, newest first.</summary>
    IAsyncEnumerable<ComplianceEvent> QueryComplianceEventsAsync(ComplianceEventQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes the compliance events with these ids; returns how many existed.</summary>
    ValueTask<int> DeleteComplianceEventsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);
}
