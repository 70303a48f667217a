using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Backends.Remote;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Ciaf.Remote.Tests.Support;

/// <summary>
/// One in-memory <c>ciaf serve</c> (the whole pipeline on ASP.NET Core's TestServer) over a SQLite store in a folder of
/// its own, with a key per role. The keys are provisioned out of band — made in a scratch store and their hashed
/// entries copied into the served store's state — so the served store's audit trail starts as empty as a fresh local
/// store's: what the suites read from it is what the client under test did.
/// </summary>
public sealed class RemoteServer : IRemoteServer
{
    /// <summary>The URL a TestServer answers on.</summary>
    public const string Url = "http://localhost/";

    private readonly TempDirectory _folder;
    private readonly Dictionary<string, string> _keys;

    private RemoteServer(TempDirectory folder, MetadataStorage storage, WebApplication app, Dictionary<string, string> keys)
    {
        _folder = folder;
        Storage = storage;
        App = app;
        _keys = keys;
    }

    /// <summary>The served store.</summary>
    public MetadataStorage Storage { get; }

    /// <summary>The server.</summary>
    public WebApplication App { get; }

    /// <summary>The served store's folder.</summary>
    public string StoreRoot => _folder.Combine("store");

    /// <summary>The key of each role (reader, writer, auditor, admin).</summary>
    public IReadOnlyDictionary<string, string> Keys => _keys;

    /// <summary>
    /// Starts a server over a new SQLite store (<paramref name="store"/> adjusts its options: audit_all_access is off
    /// unless it turns it on) with no rate limit unless <paramref name="server"/> sets one.
    /// </summary>
    public static async Task<RemoteServer> StartAsync(Action<MetadataStorageOptions>? store = null, Action<CiafServerOptions>? server = null)
    {
        var folder = new TempDirectory();
        var storage = MetadataStorage.Create(b => b.UseSqlite(folder.Combine("store")).Configure(o => store?.Invoke(o)));
        var keys = await ProvisionKeysAsync(storage, folder.Combine("keys"));
        var options = new CiafServerOptions { Storage = storage };
        options.RateLimit.Requests = 0;
        server?.Invoke(options);
        var app = CiafServer.Build(options, configure: b => b.WebHost.UseTestServer());
        await app.StartAsync();
        return new RemoteServer(folder, storage, app, keys);
    }

    /// <summary>
    /// A key per role for <paramref name="served"/>, made in a scratch store at <paramref name="scratchPath"/> and copied
    /// (hashes only, as the registry keeps them) into the served store's state: no entry in the served store's trail.
    /// </summary>
    internal static async Task<Dictionary<string, string>> ProvisionKeysAsync(MetadataStorage served, string scratchPath)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var scratch = MetadataStorage.Create(b => b.UseSqlite(scratchPath));
        foreach (string role in AccessRoles.All) keys[role] = (await scratch.ApiKeys.CreateAsync("test-" + role, role)).Key;
        foreach (var (id, entry) in await scratch.Core.State.ReadStateAsync(StateScopes.ApiKeys))
            await served.Core.State.WriteStateAsync(StateScopes.ApiKeys, id, entry);
        return keys;
    }

    /// <summary>A handler that sends requests to this server (what the remote backend's <see cref="RemoteBackendOptions.Handler"/> takes).</summary>
    public HttpMessageHandler Handler() => App.GetTestServer().CreateHandler();

    /// <summary>An <see cref="HttpClient"/> to this server sending the key of <paramref name="role"/>.</summary>
    public HttpClient Client(string role)
    {
        var client = App.GetTestClient();
        client.DefaultRequestHeaders.Add("X-API-Key", _keys[role]);
        return client;
    }

    /// <summary>
    /// Opens <paramref name="options"/> as a remote store of this server with the key of <paramref name="role"/>;
    /// <paramref name="configure"/> adjusts the backend's options (a fault-injecting handler around <see cref="Handler"/>).
    /// </summary>
    public MetadataStorage Open(MetadataStorageOptions options, string role = AccessRoles.Admin, Action<RemoteBackendOptions>? configure = null)
    {
        options.ServerUrl = Url;
        options.ApiKey = _keys[role];
        return new MetadataStorageBuilder(options).UseRemote(o =>
        {
            o.Handler = Handler();
            configure?.Invoke(o);
        }).Build();
    }

    MetadataStorage IRemoteServer.Open(MetadataStorageOptions options, string role) => Open(options, role);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Storage.DisposeAsync();
        _folder.Dispose();
    }
}
