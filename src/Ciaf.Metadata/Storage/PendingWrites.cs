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

    public void Add(WriteBatch batch)
    {
        foreach (var r in batch.Records) _records[r.Id] = r;
        foreach (var e in batch.Events) _events[e.Id] = e;
    }

    public void Remove(WriteBatch batch)
    {
        foreach (var r in batch.Records)
        {
            // The written copy may carry the hash the pending one lacks: same record if it holds the same payload.
            if (_records.TryGetValue(r.Id, out var pending) && pending.SamePayload(r))
            {
                _records.TryRemove(new KeyValuePair<string, MetadataRecord>(r.Id, pending));
            }
        }
        foreach (var e in batch.Events) _events.TryRemove(new KeyValuePair<string, ComplianceEvent>(e.Id, e));
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
