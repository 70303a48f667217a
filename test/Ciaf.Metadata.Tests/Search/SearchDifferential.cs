using System.Text.Json.Nodes;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Storage;
using CsCheck;

namespace Ciaf.Metadata.Tests.Search;

/// <summary>
/// The differential harness: random stores (the same records written to every backend) and random filters and orders;
/// every backend must return the ids the reference evaluator (<see cref="FilterEvaluator"/> over the records) returns,
/// in the same order, whole and page by page through cursors.
/// </summary>
internal static class SearchDifferential
{
    public static readonly string[] Paths = ["a", "b", "c", "\"x-y\"", "a.b", "a.c", "b[0]", "a.b[1]", "c.a", "\"0\""];

    private static readonly string[] Texts = ["", "a", "ab", "B", "a%b", "a_b", "it's", "say \"hi\"", "É", "é", "😀", "\uFF5E", "10", "2026-03-01T00:00:00+00:00"];

    private static readonly Gen<JsonNode?> GenScalar = Gen.Frequency<JsonNode?>(
        (3, Gen.Int[-3, 3].Select(i => (JsonNode?)JsonValue.Create(i))),
        (3, Gen.Int[-12, 12].Select(i => (JsonNode?)JsonValue.Create(i / 4.0))),
        (4, Gen.OneOfConst(Texts).Select(s => (JsonNode?)JsonValue.Create(s))),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (1, Gen.Const((JsonNode?)null)));

    private static Gen<JsonObject> GenObject(int depth) =>
        Gen.Select(Gen.OneOfConst("a", "b", "c", "x-y", "0"), GenNode(depth - 1)).Array[0, 4].Select(pairs =>
        {
            var obj = new JsonObject();
            foreach (var (k, v) in pairs) obj[k] = v;
            return obj;
        });

    private static Gen<JsonNode?> GenNode(int depth) => depth <= 0
        ? GenScalar
        : Gen.Frequency(
            (4, GenScalar),
            (2, GenObject(depth).Select(o => (JsonNode?)o)),
            (1, GenScalar.Array[0, 3].Select(items => (JsonNode?)new JsonArray(items))));

    /// <summary>Entries of a random store.</summary>
    public static readonly Gen<MetadataEntry[]> GenEntries =
        Gen.Select(Gen.OneOfConst("m1", "m2", "credit_scoring"), Gen.OneOfConst("training", "inference", "monitoring"), Gen.OneOfConst<string?>(null, "d1", "it's", "D%"),
                Gen.OneOfConst<string?>(null, "1.0.0", "2.1"), GenObject(3))
            .Select((model, stage, details, version, metadata) => new MetadataEntry(model, stage, "evt", metadata, version, details))
            .Array[15, 40];

    private static readonly Gen<string> GenNumber = Gen.OneOf(Gen.Int[-3, 3].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Int[-12, 12].Select(i => (i / 4.0).ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.OneOfConst("1.0", "-0.5", "2e0"));

    private static readonly Gen<string> GenString = Gen.OneOfConst(Texts).Select(s => Gen.Bool.Select(single => single ? "'" + s.Replace("'", "''") + "'" : "\"" + s.Replace("\"", "\"\"") + "\"")).SelectMany(g => g);

    private static readonly Gen<string> GenPattern = Gen.OneOfConst("'a%'", "'%b'", "'_'", "'%'", "'é%'", "'A%'", "'%''%'", "'a\\%b'", "'a_b'", "'_b'", "''", "'%\\_%'");

    private static readonly Gen<string> GenPath = Gen.OneOfConst(Paths).Select(p => "metadata." + p);

    private static readonly Gen<string> GenAtom = Gen.Frequency(
        (6, Gen.Select(GenPath, Gen.OneOfConst("=", "!=", "<", "<=", ">", ">="), Gen.OneOf(GenNumber, GenString), (p, op, v) => $"{p} {op} {v}")),
        (2, Gen.Select(GenPath, Gen.OneOfConst("=", "!="), Gen.OneOfConst("true", "false"), (p, op, v) => $"{p} {op} {v}")),
        (3, Gen.Select(GenPath, Gen.OneOfConst("LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE"), GenPattern, (p, op, v) => $"{p} {op} {v}")),
        (2, Gen.Select(GenPath, Gen.OneOfConst("IN", "NOT IN"), Gen.OneOf(GenNumber.Array[1, 3], GenString.Array[1, 3]), (p, op, v) => $"{p} {op} ({string.Join(", ", v)})")),
        (2, Gen.Select(GenPath, Gen.OneOfConst("IS NULL", "IS NOT NULL"), (p, op) => $"{p} {op}")),
        (1, GenPath.Select(p => $"EXISTS({p})")),
        (3, Gen.OneOfConst("model_name = 'm1'", "stage IN ('training', 'inference')", "details IS NULL", "details LIKE '%s'", "details != 'd1'",
            "NOT details = 'd1'", "model_version = '1.0.0'", "stage < 'm'", "model_name NOT IN ('m2')", "details ILIKE 'd%'", "metadata_hash IS NOT NULL",
            "timestamp > '2026-03-01T00:00:10Z'", "timestamp <= now() - 30d", "timestamp >= '2026-03-01T02:00:12+02:00'")));

    private static Gen<string> GenFilter(int depth) => depth <= 0
        ? GenAtom
        : Gen.Frequency(
            (3, GenAtom),
            (2, Gen.Select(GenFilter(depth - 1), Gen.OneOfConst("AND", "OR"), GenFilter(depth - 1), (a, op, b) => $"({a}) {op} ({b})")),
            (1, GenFilter(depth - 1).Select(f => $"NOT ({f})")),
            (1, Gen.Select(GenFilter(depth - 1), GenFilter(depth - 1), GenFilter(depth - 1), (a, b, c) => $"{a} AND {b} OR {c}")));

    /// <summary>A random filter.</summary>
    public static readonly Gen<string> Filter = GenFilter(3);

    /// <summary>A random order.</summary>
    public static readonly Gen<(string Field, bool Descending)> Order = Gen.Select(
        Gen.OneOfConst("timestamp", "timestamp", "model_name", "details", "stage", "metadata.a", "metadata.b", "metadata.a.b", "metadata.c"), Gen.Bool);

    /// <summary>The clock the stores are written with (one record per second from 2026-03-01) and now() is read from.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Saves the entries into a JSON store and returns the records as stored (ids, timestamps and hashes fixed).</summary>
    public static async Task<List<MetadataRecord>> RecordsOf(MetadataEntry[] entries, string folder)
    {
        var clock = new StepClock(Start);
        await using var storage = MetadataStorage.Create(b => b.UseJson(folder).Configure(o => o.TimeProvider = clock));
        foreach (var entry in entries) await storage.SaveMetadataAsync(entry.ModelName, entry.Stage, entry.EventType, entry.Metadata, entry.ModelVersion, entry.Details);
        return [.. await storage.QueryMetadataAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }).ToListAsync()];
    }

    /// <summary>Writes the records, as they are, into <paramref name="storage"/>.</summary>
    public static async Task Load(MetadataStorage storage, List<MetadataRecord> records) => await storage.Core.WriteStoredAsync(records, []);

    /// <summary>The ids the reference semantics give.</summary>
    public static List<string> Expected(List<MetadataRecord> records, string filter, (string Field, bool Descending) order)
    {
        var node = FilterParser.Parse(filter, FilterSchema.Records, null, Start);
        var searchOrder = new SearchOrder(FilterParser.ParseField(order.Field, FilterSchema.Records), order.Descending);
        return [.. records.Where(r => FilterEvaluator.Matches(node, r))
            .Select(r => (r.Id, Key: SearchOrder.KeyOf(FilterEvaluator.Resolve(r, searchOrder.Field), r.Id)))
            .OrderBy(x => x.Key, Comparer<OrderKey>.Create(searchOrder.Compare))
            .Select(x => x.Id)];
    }

    /// <summary>Asserts that <paramref name="storage"/> returns <paramref name="expected"/>: whole, by pages of 4, by stream, and counted.</summary>
    public static async Task Check(MetadataStorage storage, string filter, (string Field, bool Descending) order, List<string> expected)
    {
        var options = new SearchOptions { OrderBy = order.Field, Descending = order.Descending, Now = Start, Limit = 0 };
        string context = $"{storage.Backend}: {filter} ORDER BY {order.Field} {(order.Descending ? "desc" : "asc")}";
        var whole = await storage.SearchAsync(filter, options);
        Assert.True(expected.SequenceEqual(whole.Records.Select(r => r.Id)),
            $"{context}\nexpected {string.Join(",", expected.Select(Short))}\nactual   {string.Join(",", whole.Records.Select(r => Short(r.Id)))}");
        Assert.Null(whole.NextCursor);
        var paged = new List<string>();
        string? cursor = null;
        do
        {
            var page = await storage.SearchAsync(filter, options with { Limit = 4, Cursor = cursor });
            Assert.True(page.Records.Count <= 4);
            paged.AddRange(page.Records.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null && paged.Count <= expected.Count);
        Assert.True(expected.SequenceEqual(paged), $"{context} (paged)\nexpected {string.Join(",", expected.Select(Short))}\nactual   {string.Join(",", paged.Select(Short))}");
        Assert.True(expected.Count == await storage.CountAsync(filter, options), $"{context} (count)");
    }

    private static string Short(string id) => id[^4..];

    /// <summary>A clock that moves one second each time it is read, so every record has its own timestamp.</summary>
    private sealed class StepClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now = _now.AddSeconds(1);
    }
}
