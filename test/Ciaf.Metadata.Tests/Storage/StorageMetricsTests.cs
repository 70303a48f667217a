using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Storage;

public class StorageMetricsTests
{
    [Fact]
    public void Meter_SavesAndReads_PublishInstrumentsOnCiafMetadataMeter()
    {
        using var folder = new TempDirectory();
        var seen = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Ciaf.Metadata") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "ciaf.backend" && (string?)tag.Value == "sqlite") seen.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => seen.AddOrUpdate(instrument.Name, 1, (_, v) => v + 1));
        listener.Start();

        using (var storage = new MetadataStorage(folder.Path, "sqlite"))
        {
            for (int i = 0; i < 5; i++) storage.GetMetadata(storage.SaveMetadata("m", "training", "e", new { i }));
            listener.RecordObservableInstruments();
        }

        Assert.True(seen.GetValueOrDefault("ciaf.metadata.writes") >= 5);
        Assert.True(seen.GetValueOrDefault("ciaf.metadata.reads") >= 5);
        Assert.True(seen.GetValueOrDefault("ciaf.metadata.save.duration") >= 5);
        Assert.True(seen.GetValueOrDefault("ciaf.metadata.read.duration") >= 5);
        Assert.True(seen.ContainsKey("ciaf.metadata.pending"));
    }
}
