namespace Ciaf.Metadata.Storage;

/// <summary>
/// An optional capability of backends whose <see cref="IMetadataBackend.GetAsync"/> looks again for entries
/// other processes may have added when an id is not found (the file backends re-list their folders). Bulk
/// work that expects most ids to be new — import — asks this instead, so a miss costs a lookup, not a listing.
/// </summary>
public interface IKnownRecordLookup
{
    /// <summary>The record with this id among the entries the backend already knows (it opened them, wrote them, or listed them), or <c>null</c>.</summary>
    ValueTask<MetadataRecord?> GetKnownAsync(string id, CancellationToken cancellationToken = default);
}
