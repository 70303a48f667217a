using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Backends.Sqlite;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

// Usage: Ciaf.SqliteWriterProbe <storage folder> <record count> <id prefix> [batch size] [--then-hang]
// Writes <record count> records with ids "<prefix>-<n>" in batches (default 1: maximal lock contention),
// prints "ok <count> <elapsed ms>" and exits 0; on any failure prints the exception and exits 1.
// With --then-hang it keeps the backend open after printing "ok" until killed (the durability test kills it).
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Ciaf.SqliteWriterProbe <storage folder> <record count> <id prefix> [batch size]");
    return 2;
}

string folder = args[0];
int count = int.Parse(args[1], CultureInfo.InvariantCulture);
string prefix = args[2];
int batchSize = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
bool hang = args.Length > 4 && args[4] == "--then-hang";

try
{
    var stopwatch = Stopwatch.StartNew();
    await using var backend = new SqliteMetadataBackend(new BackendContext { StoragePath = folder, BusyTimeout = TimeSpan.FromSeconds(60) });
    var batch = new List<MetadataRecord>(batchSize);
    for (int i = 0; i < count; i++)
    {
        var metadata = new JsonObject { ["writer"] = prefix, ["n"] = i, ["accuracy"] = 0.5 + i % 50 / 100.0 };
        batch.Add(new MetadataRecord($"{prefix}-{i:D6}", "probe_model", "1.0.0", "training", "probe_write",
            PythonTimestamp.Now(), PythonJson.Hash(metadata), null, metadata));
        if (batch.Count == batchSize || i == count - 1)
        {
            await backend.WriteAsync(batch);
            batch.Clear();
        }
    }
    Console.WriteLine(FormattableString.Invariant($"ok {count} {stopwatch.ElapsedMilliseconds}"));
    if (hang)
    {
        await Console.Out.FlushAsync();
        await Task.Delay(Timeout.Infinite);
    }
    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine(ex);
    return 1;
}
