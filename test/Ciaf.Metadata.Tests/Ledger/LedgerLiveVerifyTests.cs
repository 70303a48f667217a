using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Verification;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>Verify on a store another process keeps writing to: what was written after the log was read is no finding.</summary>
public sealed class LedgerLiveVerifyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Verify_WhileAnotherWriterSavesAndPlacesHolds_FindsNothing()
    {
        string store = _dir.Combine("store");
        await using var reader = new MetadataStorage(store, "sqlite");
        await using var writer = new MetadataStorage(store, "sqlite");
        for (int i = 0; i < 200; i++) writer.SaveMetadata("m", "training", "e", new { i });
        using var stop = new CancellationTokenSource();
        var writing = Task.Run(async () =>
        {
            int i = 0;
            while (!stop.IsCancellationRequested)
            {
                string id = await writer.SaveMetadataAsync("m", "training", "e", new { live = i++ });
                // Events and holds placed and released too: each leaves a newer leaf than the verifier read.
                if (i % 7 == 0) await writer.AddComplianceEventAsync(id, "GDPR", 0.9, "passed");
                if (i % 11 == 0) await writer.PlaceLegalHoldAsync(id, "review", Retention.LegalHoldScope.Record);
                if (i % 11 == 5) await writer.ReleaseLegalHoldAsync(id, Retention.LegalHoldScope.Record);
            }
        });
        try
        {
            for (int round = 0; round < 5; round++)
            {
                var report = await reader.VerifyAsync();
                Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => $"{i.Kind} {i.Id}: {i.Detail}")));
                Assert.Equal(LedgerVerificationState.Active, report.Ledger.State);
            }
        }
        finally
        {
            stop.Cancel();
            await writing;
        }
    }
}
