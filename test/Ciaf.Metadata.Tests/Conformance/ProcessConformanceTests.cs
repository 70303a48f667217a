using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Conformance;

/// <summary>Crash and multi-process behaviour every backend must show.</summary>
public abstract class ProcessConformanceTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    protected abstract string BackendName { get; }

    /// <summary>A connection string for server backends (PostgreSQL); null for the file and SQLite backends.</summary>
    protected virtual string? ConnectionString => null;

    /// <summary>Environment variables the writer processes get (a remote store's server and key); none by default.</summary>
    protected virtual IReadOnlyDictionary<string, string>? ChildEnvironment => null;

    /// <summary>Opens the store the writers wrote: by name (<c>new MetadataStorage(options)</c>) unless a backend needs more.</summary>
    protected virtual MetadataStorage OpenStorage(MetadataStorageOptions options) => new(options);

    private MetadataStorage Open() =>
        OpenStorage(new MetadataStorageOptions { StoragePath = _folder.Path, Backend = BackendName, ConnectionString = ConnectionString });

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    // Verify is clean: with a ledger, no write without its leaf and no leaf without its write, whatever was killed when.
    private static void AssertVerified(MetadataStorage storage, long records)
    {
        var report = storage.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => $"{i.Kind} {i.Id}: {i.Detail}")));
        if (report.Ledger.State == Verification.LedgerVerificationState.Active) Assert.True(report.Ledger.Size >= records, $"{report.Ledger.Size} leaves for {records} records");
    }

    private static HashSet<long> Sequences(MetadataStorage storage, string model) =>
        [.. storage.GetModelMetadata(model, limit: null).Select(r => r.Metadata["seq"]!.GetValue<long>())];

    [Fact]
    public async Task BufferedWriter_KilledMidWrite_EveryFlushedRecordSurvivesAndNoPartialRecordAppears()
    {
        using (var child = new ChildWriter(_folder.Path, BackendName, "buffered", "crash_model", "forever", flushEvery: 40, ConnectionString, ChildEnvironment))
        {
            await child.WaitUntilDurableAsync(400, TimeSpan.FromSeconds(60));
            child.Kill();
        }
        // Whatever the child flushed last, at least 400 flushed records (seq 0..399) must be there.
        using var storage = Open();
        var seqs = Sequences(storage, "crash_model");
        for (long s = 0; s < 400; s++) Assert.Contains(s, seqs);
        Assert.Equal(0, storage.GetPerformanceMetrics().CorruptEntriesSkipped);
        // The store is still writable after the crash, and its log still agrees with it.
        Assert.NotNull(storage.GetMetadata(storage.SaveMetadata("crash_model", "inference", "after_crash", new { ok = true })));
        AssertVerified(storage, seqs.Count + 1);
    }

    [Fact]
    public async Task ImmediateWriter_KilledBetweenSaves_EverySaveThatReturnedSurvives()
    {
        long durable;
        using (var child = new ChildWriter(_folder.Path, BackendName, "immediate", "kill_model", "forever", connectionString: ConnectionString, environment: ChildEnvironment))
        {
            await child.WaitUntilDurableAsync(150, TimeSpan.FromSeconds(60));
            child.Kill();
            durable = child.LastDurable;
        }
        using var storage = Open();
        var seqs = Sequences(storage, "kill_model");
        for (long s = 0; s <= durable; s++) Assert.Contains(s, seqs);
        Assert.Equal(0, storage.GetPerformanceMetrics().CorruptEntriesSkipped);
        AssertVerified(storage, seqs.Count);
    }

    [Fact]
    public async Task SeveralProcesses_WritingOneStoreAtOnce_EveryRecordPresent()
    {
        var children = Enumerable.Range(0, 3)
            .Select(i => new ChildWriter(_folder.Path, BackendName, i % 2 == 0 ? "immediate" : "buffered", "shared_model", "150", connectionString: ConnectionString,
                environment: ChildEnvironment))
            .ToList();
        try
        {
            foreach (var child in children) await child.WaitForExitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            foreach (var child in children) child.Dispose();
        }
        using var storage = Open();
        var records = storage.GetModelMetadata("shared_model", limit: null);
        Assert.Equal(450, records.Count);
        Assert.Equal(450, records.Select(r => r.Id).Distinct().Count());
        Assert.Equal(3, records.Select(r => r.Metadata["pid"]!.GetValue<long>()).Distinct().Count());
        // One log for the three processes: every record's leaf present once, in one order.
        AssertVerified(storage, 450);
        if (storage.Ledger.IsSupported) Assert.Equal(450, storage.Ledger.Status().Size);
    }
}
