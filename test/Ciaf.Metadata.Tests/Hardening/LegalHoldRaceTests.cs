using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Backends.PostgreSql;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ciaf.Metadata.Tests.Hardening;

/// <summary>
/// Issue 11, item 1: a legal hold placed by another process while a cleanup runs must win. The cleanup deletes in
/// small chunks; a child process (test/Ciaf.Metadata.ChildWriter, mode <c>hold</c>) places the hold midway. Once the
/// child reports the hold placed, nothing it covers may disappear, and the report must say what was really deleted.
/// </summary>
public abstract class LegalHoldRaceTests : IDisposable
{
    private const int HeldModelRecords = 300;
    private const int OtherRecords = 100;
    private const int EventsPerModel = 10;
    private const int ChunkSize = 10;
    private static readonly DateTimeOffset T0 = new(2020, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _folder = new();
    private readonly FakeTimeProvider _clock = new(T0);

    protected abstract string BackendName { get; }

    /// <summary>A connection string for server backends (PostgreSQL); null for the file and SQLite backends.</summary>
    protected virtual string? ConnectionString => null;

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task CleanupOldMetadata_ModelHoldPlacedByAnotherProcessMidRun_NothingOfTheModelDeletedAfterTheHoldReturns()
    {
        await using var storage = Open();
        var (heldModel, heldEvents, _, otherEvents) = await SeedAsync(storage);
        long entriesBefore = Entries(storage);

        // The child starts at the third chunk, while the cleanup keeps going; later chunks give it time to finish,
        // and the cleanup waits for it before its last chunks, so some chunks surely run after the hold is placed.
        int chunk = 0;
        int chunks = (HeldModelRecords + OtherRecords) / ChunkSize + (2 * EventsPerModel + ChunkSize - 1) / ChunkSize;
        ChildWriter? child = null;
        Task<int>? countAfterHold = null;
        storage.Retention.BeforeChunk = async token =>
        {
            chunk++;
            if (chunk == 3)
            {
                child = new ChildWriter(_folder.Path, BackendName, "hold", "m", "model", connectionString: ConnectionString);
                // Counted as soon as the child reports the hold placed, while the cleanup goes on.
                countAfterHold = child.Done.ContinueWith(_ => storage.GetModelMetadata("m", limit: null).Count, token,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            else if (child is not null && chunk >= chunks - 4)
            {
                await child.WaitForExitAsync(Timeout);
            }
            else if (child is not null && !child.Done.IsCompleted)
            {
                await Task.Delay(20, token);
            }
        };

        CleanupReport report;
        try
        {
            report = await storage.CleanupOldMetadataAsync(30, dryRun: false);
        }
        finally
        {
            child?.Dispose();
        }

        Assert.NotNull(countAfterHold);
        int remainingAfterHold = await countAfterHold;
        var remaining = storage.GetModelMetadata("m", limit: null);
        Assert.Equal(remainingAfterHold, remaining.Count);
        Assert.InRange(remaining.Count, 1, HeldModelRecords - ChunkSize);
        Assert.Empty(storage.GetModelMetadata("other", limit: null));
        // Compliance events go after the records: every one of the held model's is kept, every other one goes.
        Assert.Equal(heldEvents.Order(StringComparer.Ordinal), storage.GetComplianceEvents().Select(e => e.Id).Order(StringComparer.Ordinal));
        AssertReportMatchesStore(storage, report, entriesBefore);
        Assert.All(report.Held, i => Assert.Contains("court", i.Reason, StringComparison.Ordinal));
        Assert.All(otherEvents, id => Assert.Contains(report.Removed, i => i.Id == id));
        Assert.Contains(heldModel[^1], report.Held.Select(i => i.Id));
    }

    [Fact]
    public async Task CleanupOldMetadata_RecordHoldPlacedByAnotherProcessBetweenChunks_TheRecordAndItsEventsSurvive()
    {
        await using var storage = Open();
        var (heldModel, heldEvents, _, _) = await SeedAsync(storage);
        long entriesBefore = Entries(storage);
        // The newest record of m goes in the last record chunk; its event goes with the events, after every record.
        string target = heldModel[^1];
        string targetEvent = heldEvents[^1];

        int chunk = 0;
        storage.Retention.BeforeChunk = async _ =>
        {
            if (++chunk != 3) return;
            using var child = new ChildWriter(_folder.Path, BackendName, "hold", target, "record", connectionString: ConnectionString);
            await child.WaitForExitAsync(Timeout);
            Assert.NotNull(storage.GetMetadata(target));
        };
        var report = await storage.CleanupOldMetadataAsync(30, dryRun: false);

        Assert.NotNull(storage.GetMetadata(target));
        Assert.Equal([targetEvent], storage.GetComplianceEvents().Select(e => e.Id));
        Assert.Equal([target], storage.GetModelMetadata("m", limit: null).Select(r => r.Id));
        Assert.Equal(new[] { target, targetEvent }.Order(StringComparer.Ordinal), report.Held.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.All(report.Held, i => Assert.Contains($"legal hold on record '{target}' (court)", i.Reason, StringComparison.Ordinal));
        AssertReportMatchesStore(storage, report, entriesBefore);
    }

    private MetadataStorage Open()
    {
        var storage = new MetadataStorage(new MetadataStorageOptions
        {
            StoragePath = _folder.Path,
            Backend = BackendName,
            ConnectionString = ConnectionString,
            TimeProvider = _clock,
        });
        storage.Retention.ChunkSize = ChunkSize;
        return storage;
    }

    /// <summary>
    /// Model m's records and some of model "other", interleaved so every chunk holds both, with compliance events on
    /// the first and last records of each; then the clock moves past both retentions.
    /// </summary>
    private async Task<(List<string> Held, List<string> HeldEvents, List<string> Other, List<string> OtherEvents)> SeedAsync(MetadataStorage storage)
    {
        var entries = Enumerable.Range(0, HeldModelRecords + OtherRecords)
            .Select(i => new MetadataEntry(i % 4 == 3 && i / 4 < OtherRecords ? "other" : "m", "training", "trained", new { i }))
            .ToList();
        var ids = await storage.SaveMetadataBatchAsync(entries);
        var held = ids.Where((_, i) => entries[i].ModelName == "m").ToList();
        var other = ids.Where((_, i) => entries[i].ModelName == "other").ToList();
        Assert.Equal((HeldModelRecords, OtherRecords), (held.Count, other.Count));
        var heldEvents = new List<string>();
        var otherEvents = new List<string>();
        for (int i = 0; i < EventsPerModel; i++)
        {
            // The last event names m's newest record (the record-hold test's target); the others its oldest ones.
            heldEvents.Add(storage.AddComplianceEvent(i == EventsPerModel - 1 ? held[^1] : held[i], "GDPR", 0.9, "passed"));
            otherEvents.Add(storage.AddComplianceEvent(other[i], "GDPR", 0.9, "passed"));
        }
        _clock.Advance(TimeSpan.FromDays(3000)); // past compliance_retention_days (2555) too
        return (held, heldEvents, other, otherEvents);
    }

    private static long Entries(MetadataStorage storage) => storage.GetPerformanceMetrics().RecordCount + storage.GetComplianceEvents().Count;

    /// <summary>The report's removed items are gone, its held items are there, and it counts exactly what went.</summary>
    private static void AssertReportMatchesStore(MetadataStorage storage, CleanupReport report, long entriesBefore)
    {
        var eventIds = storage.GetComplianceEvents().Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        bool Present(CleanupItem i) => i.Kind == CleanupItemKind.Record ? storage.GetMetadata(i.Id) is not null : eventIds.Contains(i.Id);
        Assert.All(report.Removed, i => Assert.False(Present(i), $"{i.Id} is reported removed but is still there"));
        Assert.All(report.Held, i => Assert.True(Present(i), $"{i.Id} is reported held but was deleted"));
        Assert.Equal(entriesBefore - Entries(storage), report.RemovedCount);
        Assert.Equal(report.Removed.Count, report.RemovedCount);
    }
}

/// <summary>The file backends' half of the guarantee: placing a hold waits while a cleanup chunk holds the state lock.</summary>
public sealed class FileStateLockTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("pickle")]
    public async Task PlaceLegalHold_WhileTheStateLockIsHeld_WaitsUntilItIsReleased(string backend)
    {
        await using var storage = new MetadataStorage(_folder.Path, backend);
        string lockPath = Path.Combine(_folder.Path, "audit", "legal_holds", ".lock");
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        Task placing;
        // What a guarded delete holds for its chunk (another handle: an OS lock, as another process's would be).
        using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            placing = storage.PlaceLegalHoldAsync("m", "court").AsTask();
            await Task.Delay(300);
            Assert.False(placing.IsCompleted);
            Assert.Empty(storage.GetLegalHolds());
        }
        await placing.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("m", Assert.Single(storage.GetLegalHolds()).Target);
    }
}

public sealed class JsonLegalHoldRaceTests : LegalHoldRaceTests
{
    protected override string BackendName => "json";
}

public sealed class PickleLegalHoldRaceTests : LegalHoldRaceTests
{
    protected override string BackendName => "pickle";
}

public sealed class SqliteLegalHoldRaceTests : LegalHoldRaceTests
{
    protected override string BackendName => "sqlite";
}

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlLegalHoldRaceTests(PostgreSqlServer server) : LegalHoldRaceTests
{
    private readonly string _connectionString = server.NewSchemaConnectionString();
    protected override string BackendName => "postgresql";
    protected override string? ConnectionString => _connectionString;
}
