using Ciaf.Metadata.Configuration;

namespace Ciaf.Metadata.Tests.Configuration;

public sealed class MetadataConfigLoadingTests : IDisposable
{
    private readonly TemporaryConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Constructor_File_OverridesDefaults()
    {
        string file = _folder.Write("c.json", """
            {
              "storage_backend": "sqlite",
              "storage_path": "/var/lib/myapp/metadata",
              "metadata_retention_days": 365,
              "compliance_retention_days": 2555,
              "auto_cleanup_enabled": true,
              "compliance_frameworks": ["GDPR", "FDA", "EEOC"],
              "enable_metrics": true,
              "audit_all_access": true
            }
            """);

        var config = TestConfig.Create(file);

        Assert.Equal("sqlite", config.Get<string>("storage_backend"));
        Assert.Equal("/var/lib/myapp/metadata", config.Get<string>("storage_path"));
        Assert.True(config.Get<bool>("auto_cleanup_enabled"));
        Assert.Equal(["GDPR", "FDA", "EEOC"], config.Get<string[]>("compliance_frameworks"));
        Assert.Equal(100, config.Get<int>("batch_size")); // untouched default
        Assert.Equal(Path.GetFullPath(file), config.ConfigFile);
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Constructor_FileAndEnvironment_EnvironmentWins()
    {
        string file = _folder.Write("c.json", """{ "storage_backend": "sqlite", "batch_size": 300, "cache_size": 7 }""");

        var config = TestConfig.Create(file, ("CIAF_STORAGE_BACKEND", "pickle"), ("CIAF_BATCH_SIZE", "50"));

        Assert.Equal("pickle", config.Get<string>("storage_backend"));
        Assert.Equal(50, config.Get<int>("batch_size"));
        Assert.Equal(7, config.Get<int>("cache_size")); // file value, no variable
    }

    public static TheoryData<string, string, string, object?> EnvironmentMappings => new()
    {
        { "CIAF_STORAGE_BACKEND", "sqlite", "storage_backend", "sqlite" },
        { "CIAF_STORAGE_PATH", "/data/metadata", "storage_path", "/data/metadata" },
        { "CIAF_DB_TIMEOUT", "45", "db_connection_timeout", 45L },
        { "CIAF_RETENTION_DAYS", "90", "metadata_retention_days", 90L },
        { "CIAF_COMPLIANCE_RETENTION", "3000", "compliance_retention_days", 3000L },
        { "CIAF_AUTO_CLEANUP", "true", "auto_cleanup_enabled", true },
        { "CIAF_ENCRYPT_DATA", "yes", "encrypt_sensitive_data", true },
        { "CIAF_ENCRYPTION_KEY", "/secure/keys/metadata.key", "encryption_key_path", "/secure/keys/metadata.key" },
        { "CIAF_AUDIT_ACCESS", "off", "audit_all_access", false },
        { "CIAF_CACHE_SIZE", "5", "cache_size", 5L },
        { "CIAF_ASYNC_WRITES", "0", "async_writes", false },
        { "CIAF_BATCH_SIZE", "250", "batch_size", 250L },
        { "CIAF_ENABLE_METRICS", "no", "enable_metrics", false },
        { "CIAF_METRICS_ENDPOINT", "http://monitoring-system:8080/metrics", "metrics_endpoint", "http://monitoring-system:8080/metrics" },
        { "CIAF_ALERT_WEBHOOK", "https://hooks.example.com/ciaf", "alert_webhook_url", "https://hooks.example.com/ciaf" },
        { "CIAF_USER", "alice", "user_id", "alice" },
        { "CIAF_POSTGRES_CONNECTION", "Host=db;Database=ciaf", "postgres_connection_string", "Host=db;Database=ciaf" },
        { "CIAF_ENABLE_COMPRESSION", "on", "enable_compression", true },
        { "CIAF_MAX_METADATA_BYTES", "2048", "max_metadata_bytes", 2048L },
        { "CIAF_LEDGER", "off", "ledger_enabled", false },
        { "CIAF_LEDGER_KEY_PATH", "/secure/keys/ledger.pem", "ledger_key_path", "/secure/keys/ledger.pem" },
        { "CIAF_LEDGER_WITNESS_PATH", "/mnt/witness", "ledger_witness_path", "/mnt/witness" },
        { "CIAF_AI_ACT_HIGH_RISK", "yes", "ai_act_high_risk", true },
        { "CIAF_OPENLINEAGE_URL", "http://marquez:5000/api/v1/lineage", "openlineage_url", "http://marquez:5000/api/v1/lineage" },
        { "CIAF_OPENLINEAGE_API_KEY", "k-1", "openlineage_api_key", "k-1" },
        { "CIAF_OPENLINEAGE_FILE", "lineage/events.jsonl", "openlineage_file", "lineage/events.jsonl" },
        { "CIAF_OPENLINEAGE_NAMESPACE", "team-a", "openlineage_namespace", "team-a" },
        { "CIAF_SERVER_URL", "https://ciaf.example.org", "server_url", "https://ciaf.example.org" },
        { "CIAF_API_KEY", "ciaf_0123456789abcdef_key", "api_key", "ciaf_0123456789abcdef_key" },
        { "CIAF_SERVER_URLS", "http://0.0.0.0:5080, http://[::]:5080", "server_urls", new[] { "http://0.0.0.0:5080", "http://[::]:5080" } },
        { "CIAF_SERVER_RATE_LIMIT", "120", "server_rate_limit_requests", 120L },
        { "CIAF_SERVER_JWT_AUTHORITY", "https://login.example.com/realms/ml", "server_jwt_authority", "https://login.example.com/realms/ml" },
        { "CIAF_SERVER_JWT_AUDIENCE", "ciaf-api", "server_jwt_audience", "ciaf-api" },
        { "CIAF_SERVER_OIDC_CLIENT_ID", "ciaf-dashboard", "server_oidc_client_id", "ciaf-dashboard" },
        { "CIAF_SERVER_OIDC_CLIENT_SECRET", "s3cret", "server_oidc_client_secret", "s3cret" },
        { "CIAF_SERVER_FORWARDED_HEADERS", "true", "server_forwarded_headers", true },
        { "CIAF_SERVER_KNOWN_PROXIES", "10.0.0.5, 10.1.0.0/16", "server_known_proxies", new[] { "10.0.0.5", "10.1.0.0/16" } },
        { "CIAF_SERVER_DATA_PROTECTION_KEYS_PATH", "/var/lib/ciaf/keys", "server_data_protection_keys_path", "/var/lib/ciaf/keys" },
    };

    [Theory]
    [MemberData(nameof(EnvironmentMappings))]
    public void Constructor_EnvironmentVariable_SetsItsKey(string variable, string text, string key, object? expected)
    {
        var config = TestConfig.Create(null, (variable, text));

        Assert.Equal(expected, config.Get<object>(key));
        Assert.Equal(key, MetadataConfig.EnvironmentVariables[variable]);
    }

    [Fact]
    public void EnvironmentVariables_EveryVariable_IsCoveredByTheMappingTest()
    {
        var tested = EnvironmentMappings.Select(row => (string)row[0]).Order(StringComparer.Ordinal);

        Assert.Equal(MetadataConfig.EnvironmentVariables.Keys.Order(StringComparer.Ordinal), tested);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("TRUE", true)]
    [InlineData(" Yes ", true)]
    [InlineData("On", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("OFF", false)]
    public void Constructor_BooleanVariable_AcceptsReferenceWords(string text, bool expected)
    {
        var config = TestConfig.Create(null, ("CIAF_AUTO_CLEANUP", text));

        Assert.Equal(expected, config.Get<bool>("auto_cleanup_enabled"));
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Constructor_BadIntegerVariable_DoesNotThrowAndValidateNamesTheVariable()
    {
        var config = TestConfig.Create(null, ("CIAF_BATCH_SIZE", "abc"));

        var errors = config.Validate();

        Assert.Equal("CIAF_BATCH_SIZE='abc' is not an integer", errors["batch_size"]);
        Assert.Single(errors);
        var e = Assert.Throws<MetadataConfigException>(() => config.Get<int>("batch_size"));
        Assert.Contains("CIAF_BATCH_SIZE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadBooleanVariable_ValidateNamesTheVariable()
    {
        var config = TestConfig.Create(null, ("CIAF_ASYNC_WRITES", "maybe"));

        var error = config.Validate()["async_writes"];

        Assert.StartsWith("CIAF_ASYNC_WRITES='maybe' is not a boolean", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OutOfRangeVariable_ValidateNamesTheVariable()
    {
        var config = TestConfig.Create(null, ("CIAF_BATCH_SIZE", "0"));

        Assert.Equal("must be at least 1; got 0 (from CIAF_BATCH_SIZE=0)", config.Validate()["batch_size"]);
    }

    [Fact]
    public void Constructor_EmptyNullableVariable_IsNull()
    {
        var config = TestConfig.Create(null, ("CIAF_METRICS_ENDPOINT", ""));

        Assert.Null(config.Get<string?>("metrics_endpoint"));
    }

    [Fact]
    public void Constructor_WrongTypeInFile_ValidateReportsFileAndLine()
    {
        string file = _folder.Write("c.json", """
            {
              "storage_backend": "json",
              "batch_size": "abc",
              "async_writes": "yes"
            }
            """);

        var config = TestConfig.Create(file);
        var errors = config.Validate();

        Assert.Equal(2, errors.Count);
        Assert.Contains("must be an integer", errors["batch_size"], StringComparison.Ordinal);
        Assert.Contains("\"abc\"", errors["batch_size"], StringComparison.Ordinal);
        Assert.Contains($"{file}, line 3", errors["batch_size"], StringComparison.Ordinal);
        Assert.Contains("line 4", errors["async_writes"], StringComparison.Ordinal);
        var e = Assert.Throws<MetadataConfigException>(() => config.Get<int>("batch_size"));
        Assert.Equal("batch_size", e.Key);
        Assert.Equal(3, e.LineNumber);
    }

    [Fact]
    public void Constructor_WholeFloatForInteger_IsAccepted()
    {
        string file = _folder.Write("c.json", """{ "batch_size": 200.0, "compliance_score_threshold": 1 }""");

        var config = TestConfig.Create(file);

        Assert.Equal(200, config.Get<int>("batch_size"));
        Assert.Equal(1.0, config.Get<double>("compliance_score_threshold"));
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Constructor_FractionForInteger_IsATypeError()
    {
        string file = _folder.Write("c.json", """{ "batch_size": 2.5 }""");

        Assert.Contains("must be an integer", TestConfig.Create(file).Validate()["batch_size"], StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MalformedFile_ThrowsNamingFileLineAndKey()
    {
        string file = _folder.Write("broken.json", "{\n  \"storage_backend\": \"json\",\n  \"batch_size\": 100\n  \"cache_size\": 5\n}\n");

        var e = Assert.Throws<MetadataConfigException>(() => TestConfig.Create(file));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("batch_size", e.Message, StringComparison.Ordinal);
        Assert.Equal(file, e.FilePath);
        Assert.Equal(4, e.LineNumber);
        Assert.Equal("batch_size", e.Key);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(e.InnerException);
    }

    [Fact]
    public void Constructor_UnterminatedValue_ThrowsWithLine()
    {
        string file = _folder.Write("broken.json", "{\n  \"storage_backend\": \"json\",\n  \"batch_size\": tru\n}");

        var e = Assert.Throws<MetadataConfigException>(() => TestConfig.Create(file));

        Assert.Equal(3, e.LineNumber);
        Assert.Contains("batch_size", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"json\"")]
    [InlineData("")]
    [InlineData("   \n")]
    public void Constructor_RootNotAnObject_Throws(string text)
    {
        string file = _folder.Write("c.json", text);

        var e = Assert.Throws<MetadataConfigException>(() => TestConfig.Create(file));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DuplicateKey_ThrowsNamingBothLines()
    {
        string file = _folder.Write("c.json", "{\n  \"batch_size\": 1,\n  \"batch_size\": 2\n}");

        var e = Assert.Throws<MetadataConfigException>(() => TestConfig.Create(file));

        Assert.Equal("batch_size", e.Key);
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CommentsTrailingCommasAndBom_AreAllowed()
    {
        string file = _folder.PathOf("c.json");
        File.WriteAllText(file, """
            {
              // development settings
              "storage_backend": "sqlite", /* inline */
              "compliance_frameworks": ["GDPR", "HIPAA",],
            }
            """, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var config = TestConfig.Create(file);

        Assert.Equal("sqlite", config.Get<string>("storage_backend"));
        Assert.Equal(["GDPR", "HIPAA"], config.Get<string[]>("compliance_frameworks"));
    }

    [Fact]
    public void Constructor_MissingFile_ThrowsFileNotFoundNamingIt()
    {
        string file = _folder.PathOf("nope.json");

        var e = Assert.Throws<FileNotFoundException>(() => TestConfig.Create(file));

        Assert.Equal(file, e.FileName);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyFileName_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => TestConfig.Create("  "));
    }

    [Fact]
    public void Constructor_UnknownKeysInFile_AreKeptAndReadable()
    {
        string file = _folder.Write("c.json", """{ "team": "risk", "thresholds": { "auc": 0.7 }, "lcm_storage_dir": "lcm" }""");

        var config = TestConfig.Create(file);

        Assert.Equal("risk", config.Get<string>("team"));
        Assert.Equal(0.7, config.Get<System.Text.Json.Nodes.JsonObject>("thresholds")["auc"]!.GetValue<double>());
        Assert.Equal("lcm", config.Get<string>("lcm_storage_dir"));
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Constructor_MisspeltKeyInFile_ValidateSuggestsTheKnownKey()
    {
        string file = _folder.Write("c.json", """{ "BatchSize": 5 }""");

        var errors = TestConfig.Create(file).Validate();

        Assert.Contains("did you mean 'batch_size'", errors["BatchSize"], StringComparison.Ordinal);
    }
}
