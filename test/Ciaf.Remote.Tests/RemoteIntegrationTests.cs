using System.Text;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Remote.Tests.Support;

namespace Ciaf.Remote.Tests;

/// <summary>The library's higher layers on a remote store, unchanged; several clients on one server; a cut-off stream.</summary>
public sealed class RemoteIntegrationTests : ServedStoreTests
{
    private MetadataStorage Open(string role, WriteMode mode = WriteMode.Immediate, string folder = "client", Action<Ciaf.Metadata.Backends.Remote.RemoteBackendOptions>? configure = null) =>
        Server.Open(new MetadataStorageOptions { StoragePath = Client.Combine(folder), Backend = RemoteBuilderExtensions.BackendName, WriteMode = mode },
            role, configure);

    [Fact]
    public async Task ManagerCaptureAndComplianceTracker_OnARemoteStore_WorkUnchanged()
    {
        List<(string Stage, string Id)> seenByWriter;
        string assessment;
        await using (var storage = Open(AccessRoles.Writer, WriteMode.Buffered))
        {
            var manager = new ModelMetadataManager("credit_model", "2.1.0", storage);
            manager.LogDataIngestion(new { rows = 10_000, source = "warehouse" });
            manager.LogTrainingComplete(new { accuracy = 0.93 });
            using (var capture = new MetadataCapture("credit_model", PipelineStages.Inference, "batch_prediction", storage))
            {
                capture.AddMetadata("batch_size", 1000);
            }
            var tracker = new ComplianceTracker(manager);
            assessment = tracker.TrackGdprCompliance(new { encryption = true, anonymization = true, access_controls = true },
                new { explicit_consent = true, withdrawal_mechanism = true }).MetadataId!;
            // Read-your-writes before anything is flushed: the writer's own view.
            seenByWriter = [.. manager.GetPipelineTrace().Stages.SelectMany(s => s.Entries.Select(e => (s.Stage, e.Id)))];
        }

        // Another client, with another key, sees on the server exactly what the writer saw of its own writes.
        await using var reader = Open(AccessRoles.Reader, folder: "reader");
        var trace = reader.GetPipelineTrace("credit_model");
        Assert.Equal(seenByWriter, trace.Stages.SelectMany(s => s.Entries.Select(e => (s.Stage, e.Id))));
        Assert.Equal([PipelineStages.DataIngestion, PipelineStages.Training, PipelineStages.Inference, PipelineStages.Compliance, PipelineStages.ModelLifecycle],
            trace.Stages.Select(s => s.Stage));
        Assert.Equal(1000, (int?)trace.Stages.Single(s => s.Stage == PipelineStages.Inference).Entries.Single().Metadata["batch_size"]);
        Assert.Contains(trace.Stages.Single(s => s.Stage == PipelineStages.Compliance).Entries, e => e.Id == assessment);
        Assert.Contains(reader.GetComplianceEvents("GDPR"), e => e.MetadataId == assessment);
    }

    [Fact]
    public async Task SeveralClients_WritingAtOnce_EachSeesEveryRecord()
    {
        var writers = Enumerable.Range(0, 4).Select(i => Open(AccessRoles.Writer, i % 2 == 0 ? WriteMode.Buffered : WriteMode.Immediate, $"w{i}")).ToList();
        try
        {
            await Parallel.ForEachAsync(writers.Select((w, i) => (w, i)), async (item, ct) =>
            {
                for (int n = 0; n < 50; n++) await item.w.SaveMetadataAsync("shared", "inference", "predicted", new { writer = item.i, n }, cancellationToken: ct);
                await item.w.FlushAsync(ct);
            });
        }
        finally
        {
            foreach (var w in writers) await w.DisposeAsync();
        }
        await using var reader = Open(AccessRoles.Reader, folder: "reader");
        var records = reader.GetModelMetadata("shared", limit: null);
        Assert.Equal(200, records.Count);
        Assert.Equal(200, records.Select(r => r.Id).Distinct().Count());
        Assert.True(reader.Verify().IsValid);
        Assert.Equal(200, (await Server.Storage.Ledger.StatusAsync()).Size);
    }

    [Fact]
    public async Task Export_ScanCutOffOnTheWay_FailsInsteadOfPassingForComplete()
    {
        await using (var writer = Open(AccessRoles.Writer))
        {
            writer.SaveMetadataBatch(Enumerable.Range(0, 30).Select(i => new MetadataEntry("m", "training", "epoch", new { i })));
        }
        await using var storage = Open(AccessRoles.Auditor, configure: o => o.Handler = new CuttingHandler(o.Handler!));

        var ex = Assert.Throws<MetadataStorageException>(() => storage.ExportMetadata("m", "jsonl"));

        Assert.Contains("cut off", ex.Message, StringComparison.Ordinal);
        Assert.Equal("remote", ex.Backend);
    }

    /// <summary>Drops the last line of a streamed scan: the answer ends early, as a connection dropped by a proxy would.</summary>
    private sealed class CuttingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!request.RequestUri!.AbsolutePath.EndsWith("backend/scan", StringComparison.Ordinal)) return response;
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            var lines = body.TrimEnd('\n').Split('\n');
            response.Content = new StringContent(string.Join('\n', lines[..^1]) + "\n", Encoding.UTF8, "application/x-ndjson");
            return response;
        }
    }
}
