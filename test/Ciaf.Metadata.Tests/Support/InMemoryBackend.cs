using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>A backend in memory, with fault injection, for testing the facade and the writers alone.</summary>
internal class InMemoryBackend(string root) : IMetadataBackend, IComplianceEventStore, IAuditLog, IStoreState
{
    public ConcurrentDictionary<string, MetadataRecord> Records { get; } = new();
    public ConcurrentDictionary<string, ComplianceEvent> Events { get; } = new();

    /// <summary>Each write first consumes one of these failures, if any are left.</summary>
    public int FailNextWrites;

    /// <summary>Blocks every write until set (to fill the buffered queue).</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    public int WriteCalls;
    public List<int> BatchSizes { get; } = [];

    /// <summary>Awaited at the start of every record write, before <see cref="Gate"/> (to hold one write and not another).</summary>
    public Func<IReadOnlyList<MetadataRecord>, Task>? BeforeWrite { get; set; }

    public string Name => "memory";
    public string StoragePath => root;
    public string? DbPath => null;

    public async ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default)
    {
        if (BeforeWrite is { } before) await before(records);
        Gate.Wait(cancellationToken);
        Interlocked.Increment(ref WriteCalls);
        if (Interlocked.Decrement(ref FailNextWrites) >= 0) throw new IOException("injected failure");
        lock (BatchSizes) BatchSizes.Add(records.Count);
        foreach (var r in records) Records[r.Id] = r;
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

    public ConcurrentDictionary<string, AuditEntry> Audit { get; } = new();
    public ConcurrentDictionary<(string Scope, string Key), string> State { get; } = new();

    /// <summary>Each audit write first consumes one of these failures, if any are left.</summary>
    public int FailNextAuditWrites;

    /// <summary>Blocks every audit write until set.</summary>
    public ManualResetEventSlim AuditGate { get; } = new(true);

    public int AuditWriteCalls;

    public ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        AuditGate.Wait(cancellationToken);
        Interlocked.Increment(ref AuditWriteCalls);
        if (Interlocked.Decrement(ref FailNextAuditWrites) >= 0) throw new IOException("injected audit failure");
        foreach (var e in entries) Audit[e.Id] = e;
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<AuditEntry> QueryAuditAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var list = Audit.Values.Where(query.Matches).ToList();
        list.Sort(query.Compare);
        foreach (var e in list.Take(query.Limit ?? int.MaxValue)) yield return e;
    }

    public ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, string>>(State.Where(p => p.Key.Scope == scope).ToDictionary(p => p.Key.Key, p => p.Value));

    public ValueTask WriteStateAsync(string scope, string key, string? value, CancellationToken cancellationToken = default)
    {
        if (value is null) State.TryRemove((scope, key), out _);
        else State[(scope, key)] = value;
        return ValueTask.CompletedTask;
    }

    public ValueTask<string> AddStateAsync(string scope, string key, string value, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(State.GetOrAdd((scope, key), value));

    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult((long)Records.Count);

    public long SizeOnDisk() => 0;

    public ValueTask DisposeAsync()
    {
        Gate.Set();
        AuditGate.Set();
        return ValueTask.CompletedTask;
    }

    /// <summary>Registers a fresh instance under a unique name and returns both.</summary>
    public static (string Name, InMemoryBackend Backend) RegisterNew(string root)
    {
        var backend = new InMemoryBackend(root);
        string name = "memory-" + Guid.NewGuid().ToString("N");
        MetadataBackends.Register(name, b => b.UseBackend(name, b.Options.StoragePath, _ => backend));
        return (name, backend);
    }
}

/// <summary>An <see cref="InMemoryBackend"/> that takes two writes at once, as PostgreSQL does.</summary>
internal sealed class ConcurrentInMemoryBackend(string root) : InMemoryBackend(root), IConcurrentWritesBackend;
