using System.Collections.Concurrent;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// Records and events accepted but not yet durable. Reads merge them in, so an instance always
/// reads its own writes, whether or not the background writer has reached the disk.
/// </summary>
internal sealed class PendingWrites
{
    private readonly ConcurrentDictionary<string, MetadataRecord> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ComplianceEvent> _events = new(StringComparer.Ordinal);

    public long Count => _records.Count + _events.Count;

    // Indexed loops: a foreach over the interface would allocate an enumerator per batch, and a save is a batch.
    public void Add(WriteBatch batch)
    {
        var records = batch.Records;
        for (int i = 0; i < records.Count; i++) _records[records[i].Id] = records[i];
        var events = batch.Events;
        for (int i = 0; i < events.Count; i++) _events[events[i].Id] = events[i];
    }

    public void Remove(WriteBatch batch)
    {
        var records = batch.Records;
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            // The written copy may carry the hash the pending one lacks: same record if it holds the same payload.
            if (_records.TryGetValue(r.Id, out var pending) && pending.SamePayload(r))
            {
                _records.TryRemove(new KeyValuePair<string, MetadataRecord>(r.Id, pending));
            }
        }
        var events = batch.Events;
        for (int i = 0; i < events.Count; i++) _events.TryRemove(new KeyValuePair<string, ComplianceEvent>(events[i].Id, events[i]));
    }

    public MetadataRecord? Get(string id) => _records.TryGetValue(id, out var r) ? r : null;

    public List<MetadataRecord> Matching(MetadataQuery query)
    {
        if (_records.IsEmpty) return [];
        var list = _records.Values.Where(query.Matches).ToList();
        list.Sort(query.Compare);
        return list;
    }

    public List<ComplianceEvent> Matching(ComplianceEventQuery query)
    {
        if (_events.IsEmpty) return [];
        var list = _events.Values.Where(query.Matches).ToList();
        list.Sort(ComplianceEventQuery.Compare);
        return list;
    }

}
