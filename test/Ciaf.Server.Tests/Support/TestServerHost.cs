using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Ciaf.Server.Tests.Support;

/// <summary>
/// A server on ASP.NET Core's in-memory test server over a fresh SQLite store (or a given one), with one API key per
/// role. <see cref="Client(string?)"/> gives an <see cref="HttpClient"/> that sends a role's key (or none).
/// </summary>
public sealed class TestServerHost : IAsyncDisposable
{
    private readonly TempDirectory? _folder;
    private readonly bool _ownsStorage;
    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

    private TestServerHost(TempDirectory? folder, MetadataStorage storage, bool ownsStorage, WebApplication app)
    {
        _folder = folder;
        Storage = storage;
        _ownsStorage = ownsStorage;
        App = app;
    }

    /// <summary>The store served.</summary>
    public MetadataStorage Storage { get; }

    /// <summary>The application (its services, its test server).</summary>
    public WebApplication App { get; }

    /// <summary>The key of each role (reader, writer, auditor, admin).</summary>
    public IReadOnlyDictionary<string, string> Keys => _keys;

    /// <summary>
    /// Starts a server over a new SQLite store (audit_all_access on; <paramref name="store"/> adjusts its options) or over
    /// <paramref name="storage"/>; <paramref name="configure"/> adjusts the server's options, <paramref name="builder"/>
    /// the host, <paramref name="mapEndpoints"/> adds endpoints; the keys are named <paramref name="keyPrefix"/> + role.
    /// </summary>
    public static async Task<TestServerHost> StartAsync(Action<CiafServerOptions>? configure = null, MetadataStorage? storage = null,
        Action<WebApplicationBuilder>? builder = null, Action<MetadataStorageOptions>? store = null, Action<WebApplication>? mapEndpoints = null, string keyPrefix = "test-")
    {
        TempDirectory? folder = null;
        if (storage is null)
        {
            folder = new TempDirectory();
            storage = MetadataStorage.Create(b => b.UseSqlite(folder.Combine("store")).Configure(o =>
            {
                o.AuditAllAccess = true;
                store?.Invoke(o);
            }));
        }
        var options = new CiafServerOptions { Storage = storage };
        configure?.Invoke(options);
        var app = CiafServer.Build(options, configure: b =>
        {
            b.WebHost.UseTestServer();
            builder?.Invoke(b);
        }, mapEndpoints: mapEndpoints);
        await app.StartAsync();
        var host = new TestServerHost(folder, storage, folder is not null, app);
        foreach (string role in AccessRoles.All)
        {
            host._keys[role] = (await storage.ApiKeys.CreateAsync(keyPrefix + role, role)).Key;
        }
        return host;
    }

    /// <summary>A client sending the key of <paramref name="role"/>, or no credentials when it is null.</summary>
    public HttpClient Client(string? role = null)
    {
        var client = App.GetTestClient();
        if (role is not null) client.DefaultRequestHeaders.Add("X-API-Key", _keys[role]);
        return client;
    }

    /// <summary>A client sending <paramref name="key"/> as its API key.</summary>
    public HttpClient ClientWithKey(string key)
    {
        var client = App.GetTestClient();
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    /// <summary>The temporary folder of the store this host created (null for a given store).</summary>
    public TempDirectory? Folder => _folder;

    /// <summary>Saves one record directly in the store and returns its id.</summary>
    public Task<string> SeedAsync(string model = "credit_model", string stage = "training", object? metadata = null) =>
        Storage.SaveMetadataAsync(model, stage, "model_trained", metadata ?? new { accuracy = 0.91 }).AsTask();

    /// <summary>Reads a response body as a JSON object.</summary>
    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsStorage) await Storage.DisposeAsync();
        _folder?.Dispose();
    }
}
