using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Storage;

/// <summary>A backend with only the required record store: what it lacks is reported clearly, the rest works.</summary>
public sealed class BackendCapabilitiesTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Records only: no compliance events, audit trail or store state.</summary>
    private sealed class RecordsOnlyBackend(string root) : IMetadataBackend
    {
        private readonly ConcurrentDictionary<string, MetadataRecord> _records = new();

        public string Name => "records_only";
        public string StoragePath => root;
        public string? DbPath => null;

        public ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default)
        {
            foreach (var r in records) _records[r.Id] = r;
            return ValueTask.CompletedTask;
        }

        public ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(_records.GetValueOrDefault(id));

        public async IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            var list = _records.Values.Where(query.Matches).ToList();
            list.Sort(query.Compare);
            foreach (var r in list.Take(query.Limit ?? int.MaxValue)) yield return r;
        }

        public ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(ids.Count(id => _records.TryRemove(id, out _)));

        public ValueTask<long> CountAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult((long)_records.Count);

        public long SizeOnDisk() => 0;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private MetadataStorage Open(bool audit = false) => MetadataStorage.Create(b => b
        .UseBackend("records_only", _folder.Path, context => new RecordsOnlyBackend(context.StoragePath))
        .Configure(o => o.AuditAllAccess = audit));

    [Fact]
    public void RecordsOnly_ModelSummaries_AreReadFromTheRecords_AndAServerKeyRingIsNotAvailable()
    {
        using var storage = Open();
        storage.SaveMetadata("m", "training", "e", new { a = 1 }, "2.0");
        storage.SaveMetadata("m", "custom", "e", new { a = 2 });
        storage.SaveMetadata("a", "training", "e", new { a = 3 });

        var summaries = storage.GetModelSummaries();
        Assert.Equal(["a", "m"], summaries.Select(m => m.ModelName));
        Assert.Equal(2, summaries[1].RecordCount);
        Assert.Equal(["training", "custom"], summaries[1].Stages.Select(s => s.Stage));
        Assert.Equal(["1.0.0", "2.0"], summaries[1].Versions.Order(StringComparer.Ordinal));
        Assert.False(storage.ServerKeyRing.IsAvailable);
        var e = Assert.Throws<NotSupportedException>(() => storage.ServerKeyRing.ReadAll());
        Assert.Contains("records_only", e.Message, StringComparison.Ordinal);
        Assert.Contains("server_data_protection_keys_path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordsOnly_SavesQueriesAndExports_Work()
    {
        using var storage = Open();
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });

        Assert.Equal(id, storage.GetMetadata(id)!.Id);
        Assert.Single(storage.GetModelMetadata("m"));
        Assert.Single(File.ReadAllLines(storage.ExportMetadata("m", "jsonl")));
    }

    [Fact]
    public void RecordsOnly_WhatItLacks_IsReportedNamingTheBackendAndTheCapability()
    {
        using var storage = Open();
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });

        var events = Assert.Throws<NotSupportedException>(() => storage.AddComplianceEvent(id, "GDPR", 0.9, "passed"));
        var holds = Assert.Throws<NotSupportedException>(() => storage.GetLegalHolds());
        var trail = Assert.Throws<NotSupportedException>(() => storage.GetAuditTrail());

        Assert.Contains("records_only", events.Message, StringComparison.Ordinal);
        Assert.Contains("IComplianceEventStore", events.Message, StringComparison.Ordinal);
        Assert.Contains("IStoreState", holds.Message, StringComparison.Ordinal);
        Assert.Contains("IAuditLog", trail.Message, StringComparison.Ordinal);
        Assert.Single(storage.GetModelMetadata("m")); // nothing was queued for the refused event
    }

    [Fact]
    public void RecordsOnly_WithAuditAllAccess_RefusedWhenOpened()
    {
        var ex = Assert.Throws<NotSupportedException>(() => Open(audit: true));
        Assert.Contains("audit_all_access", ex.Message, StringComparison.Ordinal);
    }
}
