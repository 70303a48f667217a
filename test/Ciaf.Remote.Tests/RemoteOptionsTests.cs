using Ciaf.Metadata;
using Ciaf.Metadata.Backends.Remote;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Storage;

namespace Ciaf.Remote.Tests;

/// <summary>The remote backend's settings: validated once, every message naming the setting, none showing the key.</summary>
public sealed class RemoteOptionsTests
{
    private const string Key = "ciaf_0123456789abcdef_c2VjcmV0LXNob3VsZC1uZXZlci1sZWFr";

    [Fact]
    public void Validate_Defaults_RequireServerAndKey()
    {
        var errors = new RemoteBackendOptions().Validate();
        Assert.Contains("server_url", errors[nameof(RemoteBackendOptions.ServerUrl)], StringComparison.Ordinal);
        Assert.Contains("CIAF_SERVER_URL", errors[nameof(RemoteBackendOptions.ServerUrl)], StringComparison.Ordinal);
        Assert.Contains("CIAF_API_KEY", errors[nameof(RemoteBackendOptions.ApiKey)], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ciaf.example.org", "absolute")]
    [InlineData("ftp://ciaf.example.org", "absolute")]
    [InlineData("http://ciaf.example.org", "https://")]
    [InlineData("https://user:pw@ciaf.example.org", "no user name")]
    [InlineData("https://ciaf.example.org/?key=x", "no user name")]
    public void Validate_BadServerUrl_SaysWhatIsAllowed(string url, string expected)
    {
        var errors = new RemoteBackendOptions { ServerUrl = url, ApiKey = Key }.Validate();
        Assert.Contains(expected, Assert.Single(errors).Value, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", errors.Values.Single().Replace("https://", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:5080")]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://[::1]:5080")]
    [InlineData("https://ciaf.example.org/ciaf")]
    public void Validate_HttpsOrThisMachine_Accepted(string url) =>
        Assert.Empty(new RemoteBackendOptions { ServerUrl = url, ApiKey = Key }.Validate());

    [Fact]
    public void Validate_PlainHttpToAnotherMachine_OnlyWhenAllowed() =>
        Assert.Empty(new RemoteBackendOptions { ServerUrl = "http://ciaf.internal:5080", ApiKey = Key, AllowInsecureHttp = true }.Validate());

    [Fact]
    public void Validate_MalformedKeyAndLimits_ListedTogetherWithoutTheKey()
    {
        string badKey = "ciaf_0123456789abcdef_with space";
        var errors = new RemoteBackendOptions
        {
            ServerUrl = "https://ciaf.example.org",
            ApiKey = badKey,
            RequestTimeout = TimeSpan.Zero,
            TransientRetryTimeout = TimeSpan.FromSeconds(-1),
            PageSize = 0,
        }.Validate();
        Assert.Equal(["ApiKey", "PageSize", "RequestTimeout", "TransientRetryTimeout"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(errors.Values, m => Assert.DoesNotContain("with space", m, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_InvalidRemoteOptions_FailBeforeAnyRequestNamingEachOption()
    {
        var ex = Assert.Throws<ArgumentException>(() => MetadataStorage.Create(b => b.UseRemote(o =>
        {
            o.ServerUrl = "http://ciaf.example.org";
            o.ApiKey = "bad key";
        })));
        Assert.Contains("remote.ServerUrl", ex.Message, StringComparison.Ordinal);
        Assert.Contains("remote.ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bad key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_RemoteBackend_ReadsServerUrlAndApiKeyFromTheEnvironment_AndNeedsBoth()
    {
        var missing = new MetadataConfig(null, new Dictionary<string, string?> { ["CIAF_STORAGE_BACKEND"] = "remote" }).Validate();
        Assert.Contains("CIAF_SERVER_URL", missing[MetadataConfigKeys.ServerUrl], StringComparison.Ordinal);
        Assert.Contains("CIAF_API_KEY", missing[MetadataConfigKeys.ApiKey], StringComparison.Ordinal);

        var notAUrl = new MetadataConfig(null, new Dictionary<string, string?>
        {
            ["CIAF_STORAGE_BACKEND"] = "remote", ["CIAF_SERVER_URL"] = "ciaf.example.org", ["CIAF_API_KEY"] = Key,
        }).Validate();
        Assert.Contains("http", notAUrl[MetadataConfigKeys.ServerUrl], StringComparison.Ordinal);
        Assert.DoesNotContain(MetadataConfigKeys.ApiKey, notAUrl.Keys);

        var config = new MetadataConfig(null, new Dictionary<string, string?>
        {
            ["CIAF_STORAGE_BACKEND"] = "remote", ["CIAF_SERVER_URL"] = "https://ciaf.example.org", ["CIAF_API_KEY"] = Key,
        });
        Assert.Empty(config.Validate());
        var options = MetadataStorageOptions.FromConfig(config);
        Assert.Equal(("remote", "https://ciaf.example.org", Key), (options.Backend, options.ServerUrl, options.ApiKey));
        Assert.Contains("remote", MetadataBackends.Names);
    }
}
