using System.Net;
using System.Text;
using System.Xml.Linq;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Server.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Tests.Dashboard;

/// <summary>
/// The key ring of dashboard sessions and anti-forgery tokens lives in the store's state: two server instances over one
/// store (two processes' worth: two storages over one SQLite file) accept each other's cookies; a server over another
/// store does not (so the sharing is the store's, not the machine's default key folder); keys are never logged.
/// </summary>
public sealed class SessionKeyRingTests
{
    [Fact]
    public async Task SessionCookie_IssuedByOneInstance_IsAcceptedByAnotherOfTheSameStore_NotByAnotherStore()
    {
        using var folder = new TempDirectory();
        await using var first = await StartAsync(folder.Combine("store"), "a-");
        await using var second = await StartAsync(folder.Combine("store"), "b-");
        await using var elsewhere = await TestServerHost.StartAsync(keyPrefix: "c-");

        using var browser = new CookieClient(first);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(first.Keys[AccessRoles.Reader])).StatusCode);
        string session = SessionCookie(browser);

        Assert.Equal(HttpStatusCode.OK, (await GetWithCookieAsync(second, "/dashboard/health", session)).StatusCode);
        // (A server of another store refuses it anyway: it does not know the API key the session came from.)
        var refused = await GetWithCookieAsync(elsewhere, "/dashboard/health", session);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/dashboard/sign-in", refused.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AntiforgeryToken_FromOneInstance_IsAcceptedByAnother_NotByAServerOfAnotherStore()
    {
        using var folder = new TempDirectory();
        await using var first = await StartAsync(folder.Combine("store"), "a-");
        await using var second = await StartAsync(folder.Combine("store"), "b-");
        // Another store on the same machine: were the keys the machine's (ASP.NET Core's default folder), it would
        // read the first instance's token too.
        await using var elsewhere = await TestServerHost.StartAsync(keyPrefix: "c-");

        using var browser = new CookieClient(first);
        string token = await browser.FormTokenAsync("/dashboard/sign-in");
        string antiforgery = browser.Cookies.Single(c => c.Name == "ciaf_antiforgery").ToString();

        var accepted = await PostSignInAsync(second, token, antiforgery);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal("/dashboard", accepted.Headers.Location!.OriginalString);
        var refused = await PostSignInAsync(elsewhere, token, antiforgery);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("anti-forgery", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyRing_IsInTheStoreState_AndNoKeyIsLogged()
    {
        using var folder = new TempDirectory();
        var logs = new CollectingLoggerProvider();
        await using var host = await StartAsync(folder.Combine("store"), "a-", b =>
        {
            b.Logging.AddProvider(logs);
            b.Logging.SetMinimumLevel(LogLevel.Trace);
            b.Logging.AddFilter("Microsoft", LogLevel.Trace);
        });
        using var browser = new CookieClient(host);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(host.Keys[AccessRoles.Reader])).StatusCode);

        var entries = await host.Storage.ServerKeyRing.ReadAllAsync();
        var key = XElement.Parse(Assert.Single(entries));
        Assert.Equal("key", key.Name.LocalName);
        string masterKey = key.Descendants("masterKey").Single().Value.Trim();
        Assert.True(masterKey.Length >= 40, "the stored key holds its master key");
        Assert.False(host.Storage.ServerKeyRing.IsSealed);

        string all = string.Join('\n', logs.Messages);
        Assert.Contains("Session key ring (dashboard cookies, anti-forgery tokens): the store", all, StringComparison.Ordinal);
        Assert.Contains("Server key ring: entry key-", all, StringComparison.Ordinal);
        Assert.DoesNotContain(masterKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain(masterKey[..24], all, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyRing_InAStoreThatEncrypts_IsSealedWithTheStoreKey_AndStillShared()
    {
        using var folder = new TempDirectory();
        string storeKey = folder.Combine("store.key");
        MetadataEncryption.GenerateKey(storeKey);
        await using var first = await StartAsync(folder.Combine("store"), "a-", encryptionKey: storeKey);
        await using var second = await StartAsync(folder.Combine("store"), "b-", encryptionKey: storeKey);
        using var browser = new CookieClient(first);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(first.Keys[AccessRoles.Reader])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetWithCookieAsync(second, "/dashboard/health", SessionCookie(browser))).StatusCode);

        Assert.True(first.Storage.ServerKeyRing.IsSealed);
        string masterKey = XElement.Parse(Assert.Single(await first.Storage.ServerKeyRing.ReadAllAsync())).Descendants("masterKey").Single().Value.Trim();
        string stored = Assert.Single(StoredValues(Path.Combine(folder.Combine("store"), "ciaf_metadata.db")));
        Assert.DoesNotContain("<key", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(masterKey, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("<masterKey"))[..8], stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyRing_NotServedToRemoteStores_EvenToAnAdmin()
    {
        await using var host = await TestServerHost.StartAsync();
        using var browser = new CookieClient(host);
        await browser.SignInAsync(host.Keys[AccessRoles.Reader]);
        Assert.NotEmpty(await host.Storage.ServerKeyRing.ReadAllAsync());
        foreach (string operation in new[] { "read_state", "read_state_entry" })
        {
            var response = await host.Client(AccessRoles.Admin).PostAsync($"/api/v1/backend/{operation}",
                new StringContent("""{"scope": "server_key_ring", "key": "x"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain("masterKey", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KeyRing_InAFolder_WhenConfigured_LeavesTheStoreAlone()
    {
        using var folder = new TempDirectory();
        string keys = folder.Combine("keys");
        await using var host = await TestServerHost.StartAsync(o => o.DataProtectionKeysPath = keys);
        using var browser = new CookieClient(host);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(host.Keys[AccessRoles.Reader])).StatusCode);
        Assert.Single(Directory.GetFiles(keys, "key-*.xml"));
        Assert.Empty(await host.Storage.ServerKeyRing.ReadAllAsync());
    }

    private static async Task<TestServerHost> StartAsync(string store, string keyPrefix, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? builder = null,
        string? encryptionKey = null)
    {
        var storage = MetadataStorage.Create(b => b.UseSqlite(store).Configure(o =>
        {
            if (encryptionKey is null) return;
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = encryptionKey;
        }));
        return await OwningAsync(storage, TestServerHost.StartAsync(storage: storage, builder: builder, keyPrefix: keyPrefix));
    }

    // The host does not own a given storage: dispose it with the host.
    private static async Task<TestServerHost> OwningAsync(MetadataStorage storage, Task<TestServerHost> start)
    {
        var host = await start;
        host.App.Lifetime.ApplicationStopped.Register(storage.Dispose);
        return host;
    }

    private static Task<HttpResponseMessage> PostSignInAsync(TestServerHost host, string token, string antiforgeryCookie)
    {
        var post = new HttpRequestMessage(HttpMethod.Post, "/dashboard/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["api_key"] = host.Keys[AccessRoles.Reader],
                ["return_url"] = "/dashboard",
            }),
        };
        post.Headers.Add("Cookie", antiforgeryCookie);
        return host.Client().SendAsync(post);
    }

    private static string SessionCookie(CookieClient browser) => browser.Cookies.Single(c => c.Name == "ciaf_session").ToString();

    private static Task<HttpResponseMessage> GetWithCookieAsync(TestServerHost host, string path, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return host.Client().SendAsync(request);
    }

    private static List<string> StoredValues(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM ciaf_state WHERE scope = 'server_key_ring'";
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        public IEnumerable<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => new Logger(_messages, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> messages, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue($"{category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
        }
    }
}
