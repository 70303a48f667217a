using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>A backend in memory, with fault injection, for testing the facade and the writers alone.</summary>
internal sealed class InMemoryBackend(string root) : IMetadataBackend
{
    public ConcurrentDictionary<string, MetadataRecord> Records { get; } = new();
    public ConcurrentDictionary<string, ComplianceEvent> Events { get; } = new();

    /// <summary>Each write first consumes one of these failures, if any are left.</summary>
    public int FailNextWrites;

    /// <summary>Blocks every write until set (to fill the buffered queue).</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    public int WriteCalls;
    public List<int> BatchSizes { get; } = [];

    public string Name => "memory";
    public string StoragePath => root;
    public string? DbPath => null;

    public ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default)
    {
        Gate.Wait(cancellationToken);
        Interlocked.Increment(ref WriteCalls);
        if (Interlocked.Decrement(ref FailNextWrites) >= 0) throw new IOException("injected failure");
        lock (BatchSizes) BatchSizes.Add(records.Count);
        foreach (var r in records) Records[r.Id] = r;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteComplianceEventsAsync(IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default)
    {
        foreach (var e in events) Events[e.Id] = e;
        return ValueTask.CompletedTask;
    }

    public ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Records.TryGetValue(id, out var r) ? r : null);

    public async IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var list = Records.Values.Where(query.Matches).ToList();
        list.Sort(query.Compare);
        foreach (var r in list.Take(query.Limit ?? int.MaxValue)) yield return r;
    }

    public async IAsyncEnumerable<ComplianceEvent> QueryComplianceEventsAsync(ComplianceEventQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var list = Events.Values.Where(query.Matches).ToList();
        list.Sort(ComplianceEventQuery.Compare);
        foreach (var e in list.Take(query.Limit ?? int.MaxValue)) yield return e;
    }

    public ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ids.Count(id => Records.TryRemove(id, out _)));

    public ValueTask<int> DeleteComplianceEventsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ids.Count(id => Events.TryRemove(id, out _)));

    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult((long)Records.Count);

    public long SizeOnDisk() => 0;

    public ValueTask DisposeAsync()
    {
        Gate.Set();
        return ValueTask.CompletedTask;
    }

    /// <summary>Registers a fresh instance under a unique name and returns both.</summary>
    public static (string Name, InMemoryBackend Backend) RegisterNew(string root)
    {
        var backend = new InMemoryBackend(root);
        string name = "memory-" + Guid.NewGuid().ToString("N");
        MetadataBackends.Register(name, _ => backend);
        return (name, backend);
    }
}
