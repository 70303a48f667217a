using Ciaf.Metadata;
using Ciaf.Metadata.PostgreSql;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;

// A writer process for the multi-process and crash tests.
// usage: ChildWriter <path> <backend> <immediate|buffered> <model> <count|forever> [flushEvery] [connectionString]
// Prints "saved <seq>" (immediate) or "flushed <seq>" (buffered) once every record up to <seq> is durable.
// usage: ChildWriter <path> <backend> hold <target> <model|record> [ignored] [connectionString]
// Places a legal hold (reason "court") and prints "done" once PlaceLegalHold has returned.
// A remote store's server and key come from CIAF_SERVER_URL and CIAF_API_KEY.
string path = args[0];
string backend = args[1];
if (args[2] == "hold")
{
    PostgreSqlBackend.Register();
    await using var holder = new MetadataStorage(new MetadataStorageOptions
    {
        StoragePath = path,
        Backend = backend,
        ConnectionString = args.Length > 6 ? args[6] : null,
        ServerUrl = Environment.GetEnvironmentVariable("CIAF_SERVER_URL"),
        ApiKey = Environment.GetEnvironmentVariable("CIAF_API_KEY"),
    });
    await holder.PlaceLegalHoldAsync(args[3], "court", args[4] == "record" ? LegalHoldScope.Record : LegalHoldScope.Model);
    Console.WriteLine("done");
    return;
}
var mode = args[2] == "buffered" ? WriteMode.Buffered : WriteMode.Immediate;
string model = args[3];
long count = args[4] == "forever" ? long.MaxValue : long.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
int flushEvery = args.Length > 5 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 50;
string? connectionString = args.Length > 6 ? args[6] : null;
PostgreSqlBackend.Register();

await using var storage = new MetadataStorage(new MetadataStorageOptions
{
    StoragePath = path,
    Backend = backend,
    ConnectionString = connectionString,
    ServerUrl = Environment.GetEnvironmentVariable("CIAF_SERVER_URL"),
    ApiKey = Environment.GetEnvironmentVariable("CIAF_API_KEY"),
    WriteMode = mode,
    BatchSize = 25,
});
for (long seq = 0; seq < count; seq++)
{
    await storage.SaveMetadataAsync(model, "inference", "inference_performed",
        new { seq, pid = Environment.ProcessId, payload = new string('x', 200), scores = new[] { 0.1, 0.2, 0.3 } });
    if (mode == WriteMode.Immediate)
    {
        Console.WriteLine($"saved {seq}");
    }
    else if ((seq + 1) % flushEvery == 0)
    {
        await storage.FlushAsync();
        Console.WriteLine($"flushed {seq}");
    }
}
await storage.FlushAsync();
Console.WriteLine("done");
