using System.Text.Json.Nodes;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Capture;

/// <summary>
/// A buffered store converts a capture's values on its writer's thread, from a snapshot taken when the scope ends
/// (<see cref="CaptureSnapshot"/>): the snapshot must write exactly what the values wrote then, whatever the caller changes
/// afterwards; its size bound must never be below the text's length; and the record, read before or after the writer
/// converts it, must be the record the caller's own conversion would have made.
/// </summary>
public sealed class CaptureSnapshotTests : IDisposable
{
    private const double Seconds = 0.125;

    private readonly TempDirectory _temp = new();
    private readonly MetadataStorage _scratch;

    public CaptureSnapshotTests() => _scratch = new MetadataStorage(System.IO.Path.Combine(_temp.Path, "scratch"), "json");

    public void Dispose()
    {
        _scratch.Dispose();
        _temp.Dispose();
    }

    public static TheoryData<string> CaseNames() => CaptureFastLaneTests.CaseNames();

    // The cases whose values are all of the kinds the snapshot takes (anonymous objects, arrays, lists, dictionaries and
    // plain values, after PlainCapturedValues); the others are converted on the caller's thread.
    private static readonly HashSet<string> Snapshotted =
    [
        "doubles", "converted scalars", "strings", "nested anonymous with arrays", "dictionaries", "JSON values", "collections", "unserializable",
        "deep", "update seed", "update dictionaries", "update JSON", "update POCOs", "replaced keys keep their place",
    ];

    // The cases whose fields, as given, are all values that cannot change or collections of them: rendered on the writer.
    private static readonly HashSet<string> FrozenAsGiven =
    [
        "doubles", "strings", "update seed", "replaced keys keep their place",
    ];

    private MetadataCapture Start(string name)
    {
        var capture = new MetadataCapture("snap_model", "testing", "snap", _scratch);
        foreach (var step in CaptureFastLaneTests.Cases[name].Steps)
        {
            if (step.Key is null) capture.UpdateMetadata(step.Value);
            else capture.AddMetadata(step.Key, step.Value);
        }
        return capture;
    }

    private Dictionary<string, object?> Plain(string name)
    {
        using var capture = Start(name);
        return capture.BuildMetadata(Seconds, out _);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Frozen_FieldsAsGiven_RenderOnTheWriterWhatTheCallerRenders_AndTheBoundHolds(string name)
    {
        using var capture = Start(name);
        var payload = capture.Frozen(long.MaxValue);

        Assert.Equal(FrozenAsGiven.Contains(name), payload is not null);
        if (payload is null) return; // rendered on the caller's thread (the cases above), as before
        var expected = capture.BuildMetadata(0, out _); // the scope has not ended: its execution time is still 0
        Assert.Equal(Text(expected), Text(payload.Plain()));
        Assert.Equal(PythonJson.Serialize(capture.BuildMetadataNode(0, out _), PythonJsonStyle.Compact), PythonJson.Serialize(payload.Nodes(), PythonJsonStyle.Compact));
        Assert.Null(capture.Frozen(Text(expected).CanonicalLength - 1)); // the bound is never below the text's length
    }

    [Fact]
    public void Frozen_CollectionsChangedAfterTheScopeEnds_RenderedAsTheyWere()
    {
        var losses = new List<double> { 0.5, 1.0 };
        var curve = new[] { new { tpr = 0.5, fpr = 0.25 } };
        var counts = new Dictionary<string, int> { ["a"] = 1 };
        var when = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        using var capture = new MetadataCapture("snap_model", "testing", "snap", _scratch);
        capture.UpdateMetadata(new { losses, curve, when, level = DayOfWeek.Friday });
        capture.AddMetadata("counts", counts);
        var expected = Text(capture.BuildMetadata(0, out _));

        var payload = capture.Frozen(long.MaxValue)!;
        losses.Add(2.5);
        losses[0] = 9.5;
        curve[0] = new { tpr = 1.5, fpr = 1.25 };
        counts["a"] = 2;
        counts["late"] = 3;

        Assert.Equal(expected, Text(payload.Plain()));
    }

    [Fact]
    public void Frozen_AValueThatCanChange_LeftToTheCaller()
    {
        using var capture = new MetadataCapture("snap_model", "testing", "snap", _scratch);
        capture.AddMetadata("poco", new Settable());
        Assert.Null(capture.Frozen(long.MaxValue));
        using var nested = new MetadataCapture("snap_model", "testing", "snap", _scratch);
        nested.AddMetadata("lists", new List<List<int>> { new() { 1 } }); // a list of lists: its items can change
        Assert.Null(nested.Frozen(long.MaxValue));
    }

    private static (string Compact, string Hash, int CanonicalLength) Text(object payload)
    {
        Assert.True(MetadataConverter.TryWriteText(payload, out byte[] compact, out int length, out string hash, wantCanonical: false, out _));
        return (System.Text.Encoding.ASCII.GetString(compact), hash, length);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void TryFreeze_WritesWhatTheValuesWrote_AndBoundsTheTextFromAbove(string name)
    {
        var values = Plain(name);
        if (!MetadataConverter.TryWriteText(values, out _, out _, out _, wantCanonical: false, out _))
        {
            Assert.DoesNotContain(name, Snapshotted); // a node left in it: the store's node path, on the caller's thread
            return;
        }
        var expected = Text(values);

        bool frozen = CaptureSnapshot.TryFreeze(values, long.MaxValue);

        Assert.Equal(Snapshotted.Contains(name), frozen);
        Assert.Equal(expected, Text(values));
        if (frozen)
        {
            // A bound one byte short of the text is refused: the bound is never below the text's length.
            Assert.False(CaptureSnapshot.TryFreeze(Plain(name), expected.CanonicalLength - 1));
        }
    }

    [Fact]
    public void TryFreeze_CopiesWhatTheCallerCanChange_KeepsWhatCannotChange()
    {
        var immutable = new { a = 1, b = "x", c = new { d = 0.5, e = (long?)null } };
        var list = new List<double> { 0.5 };
        var array = new[] { new { f = "g", h = 0.25 } };
        var numbers = new[] { 0.5, 1.5 };
        var dictionary = new Dictionary<string, int> { ["k"] = 1 };
        var holder = new { items = new List<string> { "a" }, name = "n" };
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["immutable"] = immutable, ["list"] = list, ["array"] = array, ["numbers"] = numbers, ["dictionary"] = dictionary, ["holder"] = holder,
        };
        var expected = Text(values);

        Assert.True(CaptureSnapshot.TryFreeze(values, long.MaxValue));
        list.Add(2.5);
        array[0] = new { f = "changed", h = 0.75 };
        numbers[1] = 9.5;
        dictionary["k"] = 2;
        dictionary["late"] = 3;
        holder.items.Add("b");

        Assert.Equal(expected, Text(values));
        Assert.Same(immutable, values["immutable"]);
        Assert.NotSame(array, values["array"]);
        Assert.IsType(array.GetType(), values["array"]); // a shallow copy of the same array type
        Assert.IsType<Dictionary<string, object?>>(values["holder"]); // an object holding a list: its members, copied
        Assert.Equal(["items", "name"], ((Dictionary<string, object?>)values["holder"]!).Keys);
    }

    public sealed class Settable
    {
        public double Rate { get; set; } = 0.5;
    }

    [Fact]
    public void TryFreeze_SomethingItCannotSnapshot_Declines()
    {
        Assert.False(CaptureSnapshot.TryFreeze(new Dictionary<string, object?> { ["poco"] = new Settable() }, long.MaxValue));
        Assert.False(CaptureSnapshot.TryFreeze(new Dictionary<string, object?> { ["nested"] = new { poco = new Settable() } }, long.MaxValue));
        Assert.False(CaptureSnapshot.TryFreeze(new Dictionary<string, object?> { ["node"] = JsonNode.Parse("{\"a\": 1}") }, long.MaxValue));
        Assert.False(CaptureSnapshot.TryFreeze(new Dictionary<string, object?> { ["big"] = System.Numerics.BigInteger.Pow(10, 40) }, long.MaxValue));
    }

    private MetadataStorage Buffered(Action<MetadataStorageOptions>? configure = null)
    {
        var options = new MetadataStorageOptions { StoragePath = _temp.Path, Backend = "sqlite", WriteMode = WriteMode.Buffered };
        configure?.Invoke(options);
        return new MetadataStorage(options);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task BufferedStore_ConvertsTheSnapshotOnItsWriter_TheRecordTheCallerWouldHaveMade(string name)
    {
        using var storage = Buffered();
        var values = Plain(name);
        var (compact, hash) = (MetadataConverter.TryWriteText(values, out byte[] text, out _, out string h, false, out _)
            ? (System.Text.Encoding.ASCII.GetString(text), h)
            : (PythonJson.Serialize(MetadataConverter.ToJsonObject(values), PythonJsonStyle.Compact), PythonJson.Hash(MetadataConverter.ToJsonObject(values))));

        var record = storage.Core.BuildRecord(new MetadataEntry("snap_model", "testing", "snap", values), null, captured: true);
        Assert.Equal(Snapshotted.Contains(name), record.IsDeferred);
        if (record.IsDeferred) Assert.Equal(string.Empty, record.MetadataHash); // converted later, by whoever needs it first

        await storage.Core.WriteAsync(WriteBatch.Of([record]), default);
        var pending = storage.GetMetadata(record.Id)!; // read before the writer may have reached it
        storage.Flush();
        var stored = (await storage.Core.GetStoredAsync(record.Id, default))!;
        foreach (var r in new[] { pending, stored })
        {
            Assert.Equal(compact, r.CompactJson);
            Assert.Equal(hash, r.MetadataHash);
        }
        var report = storage.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
    }

    [Fact]
    public void BufferedCapture_ValuesChangedAfterTheScopeEnds_StoredAsTheyWereWhenItEnded()
    {
        using var storage = Buffered();
        var losses = new List<double> { 0.5 };
        var curve = new[] { new { tpr = 0.5, fpr = 0.25 } };
        var record = storage.Core.BuildRecord(new MetadataEntry("snap_model", "testing", "snap",
            new Dictionary<string, object?> { ["losses"] = losses, ["curve"] = curve }), null, captured: true);
        Assert.True(record.IsDeferred);

        losses[0] = 9.5;
        curve[0] = new { tpr = 1.5, fpr = 1.25 };

        Assert.Equal("{\"losses\": [0.5], \"curve\": [{\"tpr\": 0.5, \"fpr\": 0.25}]}", record.Resolved.CompactJson);
        // A copy made with `with` is converted for its own fields, not handed the original's record.
        var renamed = record with { ModelName = "renamed" };
        Assert.Equal("renamed", renamed.Resolved.ModelName);
        Assert.Equal(record.Resolved.MetadataHash, renamed.Resolved.MetadataHash);
        Assert.Same(record.Resolved, record.Resolved); // converted once
    }

    [Fact]
    public void BufferedCapture_TooLarge_RefusedOnTheCallersThread_AndOneWithinTheLimitSaved()
    {
        using var storage = Buffered(o => o.MaxMetadataBytes = 4_096);
        long failures = MetadataCapture.SaveFailures;
        string? tooLarge, fits;
        using (var capture = new MetadataCapture("snap_model", "testing", "large", storage))
        {
            capture.UpdateMetadata(new { text = new string('x', 5_000) });
            capture.Dispose();
            tooLarge = capture.MetadataId;
        }
        // 3,000 characters could be 18,000 bytes escaped: over the bound, so the caller converts it and finds it fits.
        using (var capture = new MetadataCapture("snap_model", "testing", "fits", storage))
        {
            capture.UpdateMetadata(new { text = new string('y', 3_000) });
            capture.Dispose();
            fits = capture.MetadataId;
        }
        storage.Flush();

        Assert.Null(tooLarge);
        Assert.True(MetadataCapture.SaveFailures > failures);
        Assert.NotNull(fits);
        Assert.Equal(new string('y', 3_000), (string?)storage.GetMetadata(fits)!.Metadata["text"]);
        Assert.DoesNotContain(storage.GetModelMetadata("snap_model", "testing", limit: null), r => r.EventType == "large");
    }

    [Fact]
    public void BufferedCapture_ValidatorOnTheStage_SeesTheValuesOnTheCallersThread()
    {
        using var storage = Buffered();
        int calls = 0;
        storage.RegisterValidator("validated", metadata =>
        {
            calls++;
            return (double)metadata["rate"]! == 0.5 ? [] : ["rate"];
        });
        Assert.False(storage.Core.DefersConversion("validated"));
        Assert.True(storage.Core.DefersConversion("testing"));

        using (var capture = new MetadataCapture("snap_model", "validated", "checked", storage))
        {
            capture.UpdateMetadata(new { rate = 0.5, steps = new[] { 1, 2 } });
        }

        Assert.Equal(1, calls); // before the writer ran: the save itself called it
        storage.Flush();
        Assert.Single(storage.GetModelMetadata("snap_model", "validated", limit: null));
    }

    [Fact]
    public void BufferedCapture_ReadBeforeAndAfterTheWriter_SameRecord_AndTheLedgerVerifies()
    {
        string id;
        MetadataRecord pending;
        using (var storage = Buffered())
        {
            using (var capture = new MetadataCapture("snap_model", "training", "trained", storage))
            {
                capture.UpdateMetadata(new { algorithm = "rf", features = new[] { new { name = "é", w = 0.25 } }, losses = new List<double> { 0.5, 0.25 } });
                capture.AddMetadata("accuracy", 0.875);
            }
            id = storage.GetModelMetadata("snap_model", "training", limit: null).Single().Id;
            pending = storage.GetMetadata(id)!;
            Assert.Equal(PythonJson.Hash(pending.Metadata), pending.MetadataHash);
        }
        using var reopened = new MetadataStorage(_temp.Path, "sqlite");
        var stored = reopened.GetMetadata(id)!;
        Assert.Equal(pending.MetadataHash, stored.MetadataHash);
        Assert.Equal(pending.CompactJson, stored.CompactJson);
        Assert.Equal(0.875, (double)stored.Metadata["accuracy"]!);
        var report = reopened.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
    }
}
