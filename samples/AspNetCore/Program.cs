using System.Net.Http.Json;
using Ciaf.Metadata;
using Ciaf.Metadata.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// A scoring API that records every decision. `dotnet run` serves it; `dotnet run -- --self-test --urls http://127.0.0.1:0`
// starts it on a free port, calls it once and stops (what the test command does).
bool selfTest = args.Contains("--self-test");
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCiafMetadata(builder.Configuration.GetSection("Ciaf"));   // "Ciaf": { "storage_backend": "sqlite", ... }
// resolves MetadataConfig, MetadataStorage (singleton, flushed when the container is disposed)
// and ModelMetadataManagerFactory: factory.Create("model", "1.0.0"), factory.CreateComplianceTracker(manager)
var app = builder.Build();
app.MapPost("/score", (ScoreRequest request, ModelMetadataManagerFactory factory) =>
{
    var manager = factory.Create("credit_model", "1.4.0");
    bool approved = request.Income > 3 * request.Debt;
    manager.LogInference(new { request.Income, request.Debt, approved });
    return new { approved };
});
app.MapGet("/trace/{model}", (string model, MetadataStorage storage) =>
    storage.GetPipelineTrace(model).Stages.Select(s => new { s.Stage, records = s.Entries.Count }));

if (!selfTest)
{
    app.Run();
    return;
}
await app.StartAsync();
string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using (var http = new HttpClient { BaseAddress = new Uri(address) })
{
    var score = await http.PostAsJsonAsync("/score", new ScoreRequest(52_000, 9_000));
    Console.WriteLine($"POST /score: {(int)score.StatusCode} {await score.Content.ReadAsStringAsync()}");
    Console.WriteLine($"GET /trace/credit_model: {await http.GetStringAsync("/trace/credit_model")}");
}
Console.WriteLine($"store: {app.Services.GetRequiredService<MetadataStorage>().StoragePath}");
await app.StopAsync();

public sealed record ScoreRequest(double Income, double Debt);
