using System.Collections;
using System.Dynamic;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Capture;

/// <summary>
/// A capture scope saves plain values (<see cref="MetadataCapture.BuildMetadata"/>) that the store's fast lane writes
/// without nodes. Differential: for every payload kind, what is stored is byte for byte (and hash for hash) what the
/// node path captures always took stores (<see cref="MetadataCapture.BuildMetadataNode"/>), and that node path is what
/// the capture code before this change built (CapturedValues.Storable of each value; UpdateMetadata serializing the whole
/// object at once).
/// </summary>
public sealed class CaptureFastLaneTests : IDisposable
{
    private const double Seconds = 0.125;

    private readonly TempDirectory _temp = new();
    private readonly MetadataStorage _storage;

    public CaptureFastLaneTests() => _storage = new MetadataStorage(_temp.Path, "json");

    public void Dispose()
    {
        _storage.Dispose();
        _temp.Dispose();
    }

    public enum Level { Low, High }

    public class Animal
    {
        public string Name { get; set; } = "rex";
    }

    public sealed class Dog : Animal
    {
        public int Barks { get; set; } = 3;
    }

    public sealed class Tagged
    {
        [JsonPropertyName("renamed key")] public string Renamed { get; set; } = "r";
        [JsonIgnore] public string Hidden { get; set; } = "h";
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Zero { get; set; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Missing { get; set; }
        public double Whole { get; set; } = 2.0;
        public Level Level { get; set; } = Level.High;
    }

    public sealed class WithConverter
    {
        [JsonConverter(typeof(JsonStringEnumConverter))] public Level Level { get; set; } = Level.High;
        public int Count { get; set; } = 1;
    }

    public sealed class Computed
    {
        public int A { get; set; } = 2;
        public int Twice => A * 2;
    }

    public sealed class Throwing
    {
        public int Value => throw new InvalidOperationException("no");
    }

    public sealed class Cycle
    {
        public Cycle? Next { get; set; }
    }

    public sealed record Holder(Animal Pet, object Anything, IReadOnlyList<int> Numbers);

    /// <summary>One step on a capture: <c>AddMetadata(Key, Value)</c>, or <c>UpdateMetadata(Value)</c> when Key is null.</summary>
    public sealed record Step(string? Key, object? Value);

    private static Step Add(string key, object? value) => new(key, value);

    private static Step Update(object? value) => new(null, value);

    private static object Nest(int levels)
    {
        object value = 0.5;
        for (int i = 0; i < levels; i++) value = new Dictionary<string, object?> { ["d"] = value, ["w"] = 1.0 };
        return value;
    }

    private static object Seed(int i)
    {
        var rng = new Random(i);
        string[] features = ["age", "income", "tenure", "balance", "products", "score", "region", "gender", "card", "active"];
        return new
        {
            algorithm = "RandomForest",
            hyperparameters = new { n_estimators = 50 + rng.Next(450), max_depth = 3 + rng.Next(20), learning_rate = Math.Round(rng.NextDouble() / 10, 3) },
            training_samples = 8000 + rng.Next(2000),
            validation_samples = 2000,
            performance = new { accuracy = 0.95, precision = 1.0, recall = 0.0, f1_score = Math.Round(rng.NextDouble(), 2), auc_roc = 0.5 },
            training_time_seconds = 300 + rng.Next(300),
            feature_importance = features.Select((f, k) => new { feature = f, importance = k % 3 == 0 ? 0.0 : Math.Round(rng.NextDouble() / 5, 2) }).ToArray(),
        };
    }

    /// <summary>The payloads, by name, and whether the record is expected to take the fast lane (no node left in it).</summary>
    internal static readonly Dictionary<string, (bool FastLane, Step[] Steps)> Cases = new()
    {
        ["scalars"] = (true, [Add("i", 42), Add("l", long.MinValue), Add("d", 0.95), Add("t", true), Add("n", null), Add("s", "text"),
            Add("u8", (byte)7), Add("ul", ulong.MaxValue), Add("big", BigInteger.Pow(10, 30))]),
        ["doubles"] = (true, [Add("whole", 1.0), Add("zero", 0.0), Add("neg_zero", -0.0), Add("e16", 1e16), Add("e17", 1e17), Add("tiny", 5e-324),
            Add("nan", double.NaN), Add("inf", double.PositiveInfinity), Add("ninf", double.NegativeInfinity), Add("f", 0.1f), Add("m", 2.50m),
            Add("list", new List<double> { 1.5, 2.0, double.NaN }), Add("arr", new[] { 0.0, 0.25 })]),
        ["converted scalars"] = (true, [Add("e", Level.High), Add("dto", new DateTimeOffset(2026, 1, 2, 3, 4, 5, 120, TimeSpan.FromHours(2))),
            Add("dt", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)), Add("date", new DateOnly(2026, 1, 2)), Add("time", new TimeOnly(3, 4, 5)),
            Add("span", TimeSpan.FromSeconds(1.5)), Add("guid", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")), Add("uri", new Uri("https://x.org/a b")),
            Add("version", new Version(1, 2, 3)), Add("c", 'q'), Add("bytes", new byte[] { 1, 2, 255 })]),
        ["strings"] = (true, [Add("long", new string('x', 5000)), Add("non_ascii", "modèle 模型 🚀 \"q\" <&>"), Add("lone", "a\ud800b"),
            Add("nested_lone", new { s = "a\udc00b", ok = "é" }), Add("nested_long", new[] { new string('y', 2000) })]),
        ["nested anonymous with arrays"] = (true, [Add("seed", Seed(1)), Add("mixed", new { a = new object?[] { 1, "two", 3.0, null, new { x = 1.5 } }, e = Level.Low, when = new DateTime(2026, 5, 6, 0, 0, 0, DateTimeKind.Utc) })]),
        ["dictionaries"] = (true, [Add("objects", new Dictionary<string, object?> { ["b"] = 1, ["a"] = new Dictionary<string, object?> { ["y"] = 2.0, ["x"] = null } }),
            Add("doubles", new Dictionary<string, double> { ["one"] = 1.0, ["half"] = 0.5 }), Add("int_keys", new Dictionary<int, string> { [2] = "b", [10] = "a" }),
            Add("hashtable", new Hashtable { ["k"] = 1 }), Add("sorted", new SortedDictionary<string, int> { ["b"] = 1, ["a"] = 2 })]),
        ["JSON values"] = (true, [Add("obj", JsonNode.Parse("{\"b\": 1.0, \"a\": [1, 2.5, \"s\", null, true], \"u\": \"\\u00e9\"}")), Add("arr", new JsonArray(1, 2.0, "x")),
            Add("val", JsonValue.Create(1.0)), Add("dec", JsonValue.Create(2.5m)), Add("element", JsonDocument.Parse("{\"z\": 1, \"a\": [1.0]}").RootElement),
            Add("nested_node", new { n = JsonNode.Parse("{\"x\": 1.0}"), e = JsonDocument.Parse("[1, 2]").RootElement })]),
        ["JSON lone surrogate escape"] = (false, [Add("s", JsonNode.Parse("\"a\\ud800\"")), Add("ok", 1)]),
        ["collections"] = (true, [Add("large", Enumerable.Range(0, 10_000).ToList()), Add("set", new HashSet<string> { "a", "b" }),
            Add("lazy", Enumerable.Range(0, 5).Select(i => i * 2)), Add("matrix", new int[2, 3]), Add("tuple", (1, "a", 2.0)), Add("empty", new List<int>()),
            Add("nested", new[] { new[] { 1, 2 }, Array.Empty<int>() }), Add("ref_tuple", Tuple.Create(1, "a"))]),
        ["POCOs"] = (true, [Add("tagged", new Tagged()), Add("converter", new WithConverter()), Add("computed", new Computed()), Add("throwing", new Throwing()),
            Add("holder", new Holder(new Dog(), new Dog(), [1, 2])), Add("base", new Animal()), Add("cycle", MakeCycle())]),
        ["unserializable"] = (true, [Add("stream", new MemoryStream(new byte[42])), Add("action", new Action(() => { })), Add("task", Task.CompletedTask),
            Add("type", typeof(string)), Add("token", CancellationToken.None), Add("object", new object())]),
        ["deep"] = (true, [Add("d20", Nest(20)), Add("d40", Nest(40))]),
        ["update seed"] = (true, [Update(Seed(2))]),
        ["update members of every kind"] = (true, [Update(new
        {
            e = Level.High,
            when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            whole = 3.0,
            nan = double.NaN,
            lone = "x\ud800",
            pet = (Animal)new Dog(),
            anything = (object)new Dog(),
            numbers = (IEnumerable<int>)new[] { 1, 2 },
            node = JsonNode.Parse("{\"a\": 1.0}"),
            text = new string('z', 3000),
            nothing = (string?)null,
        })]),
        ["update dictionaries"] = (true, [Update(new Dictionary<string, object?> { ["b"] = 1.0, ["a"] = new { x = Level.Low } }),
            Update(new Dictionary<string, double> { ["c"] = 2.0, ["d"] = 0.5 }), Update(Expando()), Update(new SortedDictionary<string, object> { ["s"] = 4.0 }),
            Update(new Hashtable { ["h"] = 1 })]),
        ["update JSON"] = (true, [Update(JsonNode.Parse("{\"j\": 1.0, \"k\": [2.0]}")), Update(JsonDocument.Parse("{\"el\": 3.0}").RootElement)]),
        ["update POCOs"] = (true, [Update(new Tagged()), Update(new Computed()), Update(new WithConverter { Count = 7 })]),
        ["replaced keys keep their place"] = (true, [Add("a", 1), Add("b", 2), Update(new { a = 3.0, c = 4 }), Add("execution_time", "mine"), Add("b", new[] { 5 })]),
    };

    private static object MakeCycle()
    {
        var c = new Cycle();
        c.Next = c;
        return c;
    }

    private static object Expando()
    {
        dynamic e = new ExpandoObject();
        e.x = 1.0;
        e.y = new { z = 2.0 };
        return e;
    }

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    private MetadataCapture Start(string name, IEnumerable<Step> steps)
    {
        var capture = new MetadataCapture("diff_model", "testing", name.Replace(' ', '_'), _storage);
        foreach (var step in steps)
        {
            if (step.Key is null) capture.UpdateMetadata(step.Value);
            else capture.AddMetadata(step.Key, step.Value);
        }
        return capture;
    }

    // The capture code before this change: each AddMetadata value through CapturedValues.Storable when the scope ends;
    // UpdateMetadata serializing the whole object when called (EvidenceReader.ToJsonObject) and adding its members.
    private static JsonObject Before(IEnumerable<Step> steps)
    {
        var fields = new List<KeyValuePair<string, Func<JsonNode?>>>();
        void Put(string key, Func<JsonNode?> value)
        {
            int i = fields.FindIndex(f => f.Key == key);
            if (i >= 0) fields[i] = new(key, value);
            else fields.Add(new(key, value));
        }
        foreach (var step in steps)
        {
            if (step.Key is not null)
            {
                var value = step.Value;
                Put(step.Key, () => CapturedValues.Storable(value));
                continue;
            }
            var copy = EvidenceReader.ToJsonObject(step.Value, "metadata");
            foreach (var (key, member) in copy.ToList())
            {
                copy.Remove(key);
                Put(key, () => CapturedValues.Storable(member));
            }
        }
        var data = new JsonObject();
        foreach (var (key, value) in fields) data[key] = value();
        return data;
    }

    private static (string Compact, string Hash) Stored(object payload)
    {
        var node = MetadataConverter.ToJsonObject(payload);
        return (PythonJson.Serialize(node, PythonJsonStyle.Compact), PythonJson.Hash(node));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BuildMetadata_StoresWhatTheNodePathStores(string name)
    {
        var (fastLane, steps) = Cases[name];
        using var capture = Start(name, steps);

        var plain = capture.BuildMetadata(Seconds, out string plainEvent);
        var node = capture.BuildMetadataNode(Seconds, out string nodeEvent);

        Assert.Equal(nodeEvent, plainEvent);
        Assert.Equal(node.Select(p => p.Key), plain.Keys);
        var expected = Stored(node);
        Assert.Equal(expected, Stored(plain));
        bool fast = MetadataConverter.TryWriteText(plain, out byte[] compactBytes, out _, out string hash, wantCanonical: false, out _);
        string compact = System.Text.Encoding.ASCII.GetString(compactBytes);
        Assert.Equal(fastLane, fast);
        if (fast)
        {
            Assert.Equal(expected, (compact, hash));
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BuildMetadataNode_IsWhatCapturesStoredBefore(string name)
    {
        var steps = Cases[name].Steps;
        using var capture = Start(name, steps);

        var node = capture.BuildMetadataNode(Seconds, out _);
        var before = Before(steps);

        // The captured fields come first, in the same order and with the same stored text; the capture's own fields follow.
        Assert.Equal(before.Select(p => p.Key), node.Select(p => p.Key).Take(before.Count));
        foreach (var (key, value) in before)
        {
            if (key == "execution_time") continue; // replaced by the capture's own, in place
            // Through the store's copy of a node, which decodes a lone surrogate's escape as Python does.
            Assert.Equal(PythonJson.Serialize(MetadataConverter.ToJsonNode(value), PythonJsonStyle.Compact),
                PythonJson.Serialize(MetadataConverter.ToJsonNode(node[key]), PythonJsonStyle.Compact));
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void SaveMetadata_PlainAndNodeForms_SameStoredJsonAndHash(string name)
    {
        using var capture = Start(name, Cases[name].Steps);

        string plainId = _storage.SaveMetadata("diff_model", "testing", "plain", capture.BuildMetadata(Seconds, out _));
        string nodeId = _storage.SaveMetadata("diff_model", "testing", "node", capture.BuildMetadataNode(Seconds, out _));

        var plain = _storage.GetMetadata(plainId)!;
        var node = _storage.GetMetadata(nodeId)!;
        Assert.Equal(node.MetadataHash, plain.MetadataHash);
        Assert.Equal(node.CompactJson, plain.CompactJson);
        Assert.Equal(PythonJson.Hash(node.Metadata), plain.MetadataHash);
    }

    [Fact]
    public void Error_StoredAsBefore_OnTheFastLane()
    {
        using var outer = new MetadataCapture("diff_model", "testing", "outer", _storage);
        using var capture = new MetadataCapture("diff_model", "testing", "failing", _storage);
        capture.AddMetadata("x", 1);
        try
        {
            throw new InvalidOperationException("line one\r\nline \"two\" é");
        }
        catch (InvalidOperationException ex)
        {
            capture.RecordError(ex);
        }

        var plain = capture.BuildMetadata(Seconds, out string plainEvent);
        var node = capture.BuildMetadataNode(Seconds, out _);

        Assert.Equal("failing_error", plainEvent);
        Assert.Equal(outer.CaptureId, plain["parent_capture_id"]);
        Assert.Equal(Stored(node), Stored(plain));
        Assert.True(MetadataConverter.TryWriteText(plain, out byte[] compactBytes, out _, out _, false, out _));
        string compact = System.Text.Encoding.ASCII.GetString(compactBytes);
        Assert.Equal(Stored(node).Compact, compact);
        Assert.Contains("line \\\"two\\\" \\u00e9", compact, StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionInfo_RedactedAndSummarizedParameters_StoredAsBeforeOnTheFastLane()
    {
        using var capture = new MetadataCapture("diff_model", "testing", "run", _storage);
        capture.AddFunctionInfo("Clean", "My.Module", CapturedValues.Parameters(new
        {
            path = "/data/x.csv",
            api_key = "k",
            db_password = 12345,
            rate = 1.0,
            ratio = 0.25,
            nan = double.NaN,
            rows = Enumerable.Range(0, 1000).ToList(),
            text = new string('x', 5000),
            short_text = new string('y', 1024),
            stream = new MemoryStream(new byte[42]),
            level = Level.High,
            small = new { a = 1.0, b = "c" },
        }));
        capture.AddResult(new string('r', 2000));

        var plain = capture.BuildMetadata(Seconds, out _);
        var node = capture.BuildMetadataNode(Seconds, out _);

        Assert.Equal(Stored(node), Stored(plain));
        Assert.True(MetadataConverter.TryWriteText(plain, out byte[] compactBytes, out _, out _, false, out _));
        string compact = System.Text.Encoding.ASCII.GetString(compactBytes);
        Assert.Equal(Stored(node).Compact, compact);
        var parameters = Assert.IsType<Dictionary<string, object?>>(plain["function_parameters"]);
        Assert.Equal(CaptureRedaction.RedactedValue, parameters["api_key"]);
        Assert.Equal(CaptureRedaction.RedactedValue, parameters["db_password"]);
        Assert.Equal("<List<Int32>[1000]>", parameters["rows"]);
        Assert.Equal("<String[5000]>", parameters["text"]);
        Assert.Equal(new string('y', 1024), parameters["short_text"]);
        Assert.Equal("<MemoryStream[42]>", parameters["stream"]);
        Assert.Equal("<String[2000]>", plain["result"]);
        // A parameter is summarized past 1,024 characters; a value given to AddMetadata is stored whole.
        capture.AddMetadata("added", new string('a', 5000));
        Assert.Equal(new string('a', 5000), capture.BuildMetadata(Seconds, out _)["added"]);
    }

    [Fact]
    public void Run_WithParameters_SavedRecordIsTheNodePathsRecord()
    {
        string? captureId = null;
        MetadataCapture.Run("diff_model", "testing", "run_saved", () =>
        {
            captureId = MetadataCapture.Current!.CaptureId;
            return 1;
        }, parameters: new { path = "p", token = "t", rows = new int[3] }, storage: _storage, captureResult: true);

        var record = Assert.Single(_storage.GetModelMetadata("diff_model", "testing", limit: null), r => r.EventType == "run_saved");
        Assert.Equal(captureId, (string?)record.Metadata["capture_id"]);
        Assert.Equal("[REDACTED]", (string?)record.Metadata["function_parameters"]!["token"]);
        Assert.Equal("<Int32[][3]>", (string?)record.Metadata["function_parameters"]!["rows"]);
        Assert.Equal(1, (int)record.Metadata["result"]!);
        Assert.Equal(PythonJson.Hash(record.Metadata), record.MetadataHash);
    }

    [Fact]
    public void UpdateMetadata_MembersByReference_ReadWhenTheScopeEnds()
    {
        var losses = new List<double> { 0.5 };
        var source = new Dictionary<string, object?> { ["losses"] = losses, ["epochs"] = 1 };
        string id;
        using (var capture = new MetadataCapture("diff_model", "testing", "by_reference", _storage))
        {
            capture.UpdateMetadata(new { losses, run = "r1" });
            capture.UpdateMetadata(source);
            losses.Add(0.25);            // read when the scope ends: stored
            source["epochs"] = 2;        // dict.update semantics: the member was taken when UpdateMetadata ran
            source["late"] = true;       // not a member then: not stored
            id = capture.CaptureId;
        }

        var record = Assert.Single(_storage.GetModelMetadata("diff_model", "testing", limit: null), r => r.EventType == "by_reference");
        Assert.Equal(id, (string?)record.Metadata["capture_id"]);
        Assert.Equal("[0.5, 0.25]", record.Metadata["losses"]!.ToJsonString().Replace(",", ", ", StringComparison.Ordinal));
        Assert.Equal(1, (int)record.Metadata["epochs"]!);
        Assert.False(record.Metadata.ContainsKey("late"));
        Assert.Equal("r1", (string?)record.Metadata["run"]);
    }

    [Fact]
    public void UpdateMetadata_NotAnObject_ThrowsAndAddsNothing()
    {
        using var capture = new MetadataCapture("diff_model", "testing", "refused", _storage);
        capture.AddMetadata("kept", 1);

        Assert.Throws<ArgumentException>("metadata", () => capture.UpdateMetadata("text"));
        Assert.Throws<ArgumentException>("metadata", () => capture.UpdateMetadata(new[] { 1, 2 }));
        Assert.Throws<ArgumentException>("metadata", () => capture.UpdateMetadata(42));
        Assert.Throws<ArgumentException>("metadata", () => capture.UpdateMetadata(new JsonArray(1)));
        Assert.Throws<ArgumentException>("metadata", () => capture.UpdateMetadata(new Throwing()));
        Assert.Throws<ArgumentException>("metadata", () => capture.UpdateMetadata(new Dictionary<string, object?> { ["ok"] = 1, [""] = 2 }));

        var plain = capture.BuildMetadata(Seconds, out _);
        Assert.Equal(new[] { "kept", "execution_time", "capture_id", "trace_id", "span_id" }, plain.Keys);
    }

    [Theory]
    [InlineData(typeof(ArgumentException))]
    [InlineData(typeof(InvalidOperationException))]
    public void Dispose_StoreRefusesThePlainForm_SavesTheNodeFormInstead(Type failure)
    {
        // A validator that fails on its first call only (not a rejection): the plain form's save.
        int calls = 0;
        _storage.RegisterValidator("fallback_stage", _ => ++calls == 1 ? throw (Exception)Activator.CreateInstance(failure, "first save refused")! : []);
        long failures = MetadataCapture.SaveFailures;
        string id;
        using (var capture = new MetadataCapture("diff_model", "fallback_stage", "fallback", _storage))
        {
            capture.AddMetadata("fine", 2.0);
            capture.UpdateMetadata(new { seed = Seed(3) });
            id = capture.CaptureId;
        }

        Assert.Equal(2, calls);
        Assert.Equal(failures, MetadataCapture.SaveFailures);
        var record = Assert.Single(_storage.GetModelMetadata("diff_model", "fallback_stage", limit: null));
        Assert.Equal(id, (string?)record.Metadata["capture_id"]);
        Assert.Equal("2", record.Metadata["fine"]!.ToJsonString());
    }

    [Fact]
    public void Dispose_StoreFailsOtherwise_NoSecondSave()
    {
        int calls = 0;
        _storage.RegisterValidator("disposed_stage", _ =>
        {
            calls++;
            throw new ObjectDisposedException("store");
        });
        long failures = MetadataCapture.SaveFailures;
        using (var capture = new MetadataCapture("diff_model", "disposed_stage", "failing", _storage))
        {
            capture.AddMetadata("graph", new[] { 1, 2 });
        }

        Assert.Equal(1, calls);
        Assert.True(MetadataCapture.SaveFailures > failures);
    }

    [Fact]
    public async Task DisposeAsync_StoreRefusesThePlainForm_SavesTheNodeFormInstead()
    {
        int calls = 0;
        _storage.RegisterValidator("fallback_async_stage", _ => ++calls == 1 ? throw new ArgumentException("first save refused") : []);
        await using (var capture = new MetadataCapture("diff_model", "fallback_async_stage", "fallback", _storage))
        {
            capture.AddMetadata("fine", 2.0);
            capture.AddMetadata("graph", new { losses = new[] { 0.5, 1.0 } });
        }

        Assert.Equal(2, calls);
        var record = Assert.Single(_storage.GetModelMetadata("diff_model", "fallback_async_stage", limit: null));
        Assert.Equal("2", record.Metadata["fine"]!.ToJsonString());
        Assert.Equal("{\"losses\":[0.5,1]}", record.Metadata["graph"]!.ToJsonString());
    }

    [Fact]
    public void HoldsObjectGraphs_ScalarsAndNodesOnly_SavesTheNodeForm()
    {
        // A few scalars cost the caller less as nodes (a buffered store hashes them on its writer); anything the fast lane
        // walks makes the capture save its plain form.
        using var capture = new MetadataCapture("diff_model", "testing", "form", _storage);
        capture.AddMetadata("n", 1);
        capture.AddMetadata("s", "text");
        capture.AddMetadata("d", 0.5);
        capture.AddMetadata("e", Level.High);
        capture.AddMetadata("node", JsonNode.Parse("{\"a\": [1]}"));
        capture.AddFunctionInfo("Clean", "My.Module", CapturedValues.Parameters(new { path = "p" }));
        Assert.False(capture.HoldsObjectGraphs());

        capture.UpdateMetadata(new { metrics = new { accuracy = 0.9 } });
        Assert.True(capture.HoldsObjectGraphs());
    }

    [Theory]
    [InlineData("list")]
    [InlineData("array")]
    [InlineData("dictionary")]
    [InlineData("poco")]
    public void HoldsObjectGraphs_GraphValue_SavesThePlainForm(string kind)
    {
        using var capture = new MetadataCapture("diff_model", "testing", "form", _storage);
        capture.AddMetadata("x", kind switch
        {
            "list" => new List<int> { 1 },
            "array" => new[] { "a" },
            "dictionary" => new Dictionary<string, object?> { ["a"] = 1 },
            _ => new Animal(),
        });

        Assert.True(capture.HoldsObjectGraphs());
    }

    [Fact]
    public void Dispose_ValidatorRejects_NoSecondSave()
    {
        int calls = 0;
        _storage.RegisterValidator("rejected_stage", _ =>
        {
            calls++;
            return ["rejected"];
        });
        long failures = MetadataCapture.SaveFailures;
        using (var capture = new MetadataCapture("diff_model", "rejected_stage", "rejected", _storage))
        {
            capture.AddMetadata("x", new { y = 1 }); // the plain form: a rejection is not retried with the node form
        }

        Assert.Equal(1, calls);
        Assert.True(MetadataCapture.SaveFailures > failures);
        Assert.Empty(_storage.GetModelMetadata("diff_model", "rejected_stage", limit: null));
    }
}
