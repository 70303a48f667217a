using System.Diagnostics;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Capture;

public sealed class MetadataCaptureTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MetadataStorage _storage;

    public MetadataCaptureTests() => _storage = new MetadataStorage(_temp.Path, "json");

    public void Dispose()
    {
        _storage.Dispose();
        _temp.Dispose();
    }

    private IReadOnlyList<MetadataRecord> Records(string stage) => _storage.GetModelMetadata("my_model", stage, limit: null);

    [Fact]
    public void UsingScope_SeedExample_SavesMetadataAndExecutionTime()
    {
        using (var capture = new MetadataCapture("my_model", "inference", "batch_prediction", storage: _storage))
        {
            capture.AddMetadata("batch_size", 1000);
            capture.UpdateMetadata(new { predictions_made = 1000 });
        }

        var r = Assert.Single(Records("inference"));
        Assert.Equal("batch_prediction", r.EventType);
        Assert.Equal(1000, (int)r.Metadata["batch_size"]!);
        Assert.Equal(1000, (int)r.Metadata["predictions_made"]!);
        Assert.True((double)r.Metadata["execution_time"]! >= 0);
        Assert.NotNull((string?)r.Metadata["trace_id"]);
        Assert.NotNull((string?)r.Metadata["span_id"]);
    }

    [Fact]
    public void Run_Exception_SavesErrorEventAndRethrowsSameException()
    {
        var boom = new InvalidOperationException("bad data");

        var thrown = Assert.Throws<InvalidOperationException>(() =>
            MetadataCapture.Run<int>("my_model", "preprocessing", "data_cleaning", () => throw boom, parameters: new { path = "x.csv" }, storage: _storage));

        Assert.Same(boom, thrown);
        var r = Assert.Single(Records("preprocessing"));
        Assert.Equal("data_cleaning_error", r.EventType);
        Assert.Equal("InvalidOperationException", (string?)r.Metadata["error"]!["type"]);
        Assert.Equal("bad data", (string?)r.Metadata["error"]!["message"]);
        Assert.NotEmpty(r.Metadata["error"]!["traceback"]!.AsArray());
        Assert.Equal("x.csv", (string?)r.Metadata["function_parameters"]!["path"]);
    }

    [Fact]
    public void Run_Result_ReturnedUnchangedAndFunctionInfoRecorded()
    {
        var result = MetadataCapture.Run("my_model", "preprocessing", "data_cleaning", () => new[] { 1, 2, 3 },
            parameters: new { path = "x.csv", db_password = "hunter2" }, storage: _storage, captureResult: true);

        Assert.Equal([1, 2, 3], result);
        var r = Assert.Single(Records("preprocessing"));
        Assert.Equal("data_cleaning", r.EventType);
        Assert.Equal("[REDACTED]", (string?)r.Metadata["function_parameters"]!["db_password"]);
        Assert.Equal("<Int32[][3]>", (string?)r.Metadata["result_summary"]);
        Assert.Equal(nameof(Run_Result_ReturnedUnchangedAndFunctionInfoRecorded), (string?)r.Metadata["function_name"]);
        Assert.Equal(typeof(MetadataCaptureTests).FullName, (string?)r.Metadata["function_module"]);
    }

    [Fact]
    public async Task RunAsync_NestedAcrossAwaits_ChildRecordsParentCaptureId()
    {
        string? outerId = null;
        await using (var outer = new MetadataCapture("my_model", "training", "full_training", _storage))
        {
            outerId = outer.CaptureId;
            await Task.Yield();
            await Task.WhenAll(
                MetadataCapture.RunAsync("my_model", "training", "epoch", async () => { await Task.Delay(5); return 1; }, storage: _storage),
                Task.Run(() => MetadataCapture.RunAsync("my_model", "training", "epoch", async () => { await Task.Yield(); return 2; }, storage: _storage)));
            Assert.Same(outer, MetadataCapture.Current);
        }
        Assert.Null(MetadataCapture.Current);

        var records = Records("training");
        var children = records.Where(r => r.EventType == "epoch").ToList();
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Equal(outerId, (string?)c.Metadata["parent_capture_id"]));
        var parent = Assert.Single(records, r => r.EventType == "full_training");
        Assert.Null(parent.Metadata["parent_capture_id"]);
        // The children's activities are children of the outer activity: same trace.
        Assert.All(children, c => Assert.Equal((string?)parent.Metadata["trace_id"], (string?)c.Metadata["trace_id"]));
    }

    [Fact]
    public async Task RunAsync_Exception_SameExceptionAndErrorEvent()
    {
        var boom = new TimeoutException("slow");

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() =>
            MetadataCapture.RunAsync("my_model", "inference", "score", async () => { await Task.Yield(); throw boom; }, storage: _storage));

        Assert.Same(boom, thrown);
        Assert.Equal("score_error", Assert.Single(Records("inference")).EventType);
    }

    [Fact]
    public void Capture_WithListener_UsesCiafMetadataActivitySourceAndRecordsIds()
    {
        var started = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Ciaf.Metadata",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (started) { started.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);

        string? id;
        using (var capture = new MetadataCapture("my_model", "validation", "activity_probe", _storage))
        {
            id = capture.CaptureId;
        }

        Activity activity;
        lock (started)
        {
            activity = Assert.Single(started, a => (string?)a.GetTagItem("ciaf.event_type") == "activity_probe");
        }
        Assert.Equal("Ciaf.Metadata", activity.Source.Name);
        var r = Assert.Single(Records("validation"));
        Assert.Equal(activity.TraceId.ToHexString(), (string?)r.Metadata["trace_id"]);
        Assert.Equal(activity.SpanId.ToHexString(), (string?)r.Metadata["span_id"]);
        Assert.Equal(id, (string?)r.Metadata["capture_id"]);
    }

    [Fact]
    public void Run_StoreRejectsEverySave_ResultUnchangedAndFailureCounted()
    {
        _storage.RegisterValidator("preprocessing", _ => ["always rejected"]);
        long before = MetadataCapture.SaveFailures;

        var result = MetadataCapture.Run("my_model", "preprocessing", "data_cleaning", () => 42, storage: _storage);

        Assert.Equal(42, result);
        Assert.True(MetadataCapture.SaveFailures > before);
        Assert.Empty(Records("preprocessing"));
    }

    [Fact]
    public void Run_StoreDisposedAndCodeThrows_OriginalExceptionStillSurfaces()
    {
        using var temp = new TempDirectory();
        var storage = new MetadataStorage(temp.Path, "json");
        storage.Dispose();
        var boom = new FormatException("original");

        var thrown = Assert.Throws<FormatException>(() => MetadataCapture.Run<int>("my_model", "x", "y", () => throw boom, storage: storage));

        Assert.Same(boom, thrown);
    }

    [Fact]
    public void UsingScope_RecordErrorFilter_SavesErrorEventWithoutCatching()
    {
        var boom = new ArgumentException("bad");

        var thrown = Assert.Throws<ArgumentException>(() =>
        {
            using var capture = new MetadataCapture("my_model", "deployment", "rollout", _storage);
            try
            {
                throw boom;
            }
            catch (Exception ex) when (capture.RecordError(ex))
            {
            }
        });

        Assert.Same(boom, thrown);
        Assert.Equal("rollout_error", Assert.Single(Records("deployment")).EventType);
    }

    [Fact]
    public void AddMetadata_Unserializable_SummarizedAndSaved()
    {
        using (var capture = new MetadataCapture("my_model", "monitoring", "drift", _storage))
        {
            capture.AddMetadata("callback", new Action(() => { }));
            capture.AddMetadata("ok", 1);
        }

        var r = Assert.Single(Records("monitoring"));
        Assert.Equal("<Action>", (string?)r.Metadata["callback"]);
        Assert.Equal(1, (int)r.Metadata["ok"]!);
    }
}
