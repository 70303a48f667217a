using System.Net;
using System.Text;
using Ciaf.Metadata;
using Ciaf.Metadata.Backends.Sqlite;
using Ciaf.Metadata.Access;
using Ciaf.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Tests;

public sealed class HardeningTests
{
    [Fact]
    public async Task OversizedBody_Is413_AndNothingIsSaved()
    {
        await using var host = await TestServerHost.StartAsync(o => o.MaxRequestBodyBytes = 4096);
        string big = new('x', 8000);
        var response = await host.Client(AccessRoles.Writer).PostAsync("/api/v1/records",
            Json.Body("{\"model_name\": \"big\", \"stage\": \"training\", \"event_type\": \"e\", \"metadata\": {\"blob\": \"" + big + "\"}}"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", Json.MediaType(response));
        Assert.Empty(await host.Storage.GetModelMetadataAsync("big"));
    }

    [Fact]
    public async Task DefaultBodyLimit_IsTheStoresMetadataLimitPlusTheEnvelope()
    {
        await using var host = await TestServerHost.StartAsync(store: o => o.MaxMetadataBytes = 2048);
        string big = new('x', 2048 + 70 * 1024);
        var response = await host.Client(AccessRoles.Writer).PostAsync("/api/v1/records",
            Json.Body("{\"model_name\": \"big\", \"stage\": \"training\", \"event_type\": \"e\", \"metadata\": {\"blob\": \"" + big + "\"}}"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"model_name\": ", "body")]
    [InlineData("[]", "body")]
    [InlineData("42", "body")]
    [InlineData("{\"model_name\": \"m\", \"stage\": \"s\"}", "event_type")]
    [InlineData("{\"model_name\": 7, \"stage\": \"s\", \"event_type\": \"e\"}", "model_name")]
    [InlineData("{\"model_name\": \"m\", \"stage\": \"s\", \"event_type\": \"e\", \"metadata\": [1]}", "metadata")]
    [InlineData("{\"model_name\": \"m\", \"stage\": \"s\", \"event_type\": \"e\", \"acuracy\": 1}", "acuracy")]
    [InlineData("[{\"model_name\": \"m\", \"stage\": \"s\", \"event_type\": \"e\"}, {\"model_name\": \"m\"}]", "[1].stage")]
    [InlineData("{\"model_name\": \"../etc\", \"stage\": \"s\", \"event_type\": \"e\"}", "modelName")]
    public async Task BadRecordBody_Is400NamingTheField_AndNothingIsSaved(string body, string field)
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client(AccessRoles.Writer).PostAsync("/api/v1/records", Json.Body(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await TestServerHost.JsonAsync(response);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.Empty(await host.Storage.GetModelMetadataAsync("m"));
    }

    [Fact]
    public async Task NonJsonContentType_Is415()
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client(AccessRoles.Writer).PostAsync("/api/v1/records", new StringContent("model_name=m", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("model_name = 'x''; DROP TABLE metadata; --'")]
    [InlineData("model_name = 'credit_model' OR 1=1 --")]
    [InlineData("metadata.\"a'; DELETE FROM metadata; --\" = 1")]
    [InlineData("details LIKE '%'' OR ''1''=''1'")]
    public async Task FilterWithSqlMetacharacters_IsDataNotSql(string filter)
    {
        await using var host = await TestServerHost.StartAsync();
        string id = await host.SeedAsync();
        var response = await host.Client(AccessRoles.Reader).GetAsync("/api/v1/records?filter=" + Uri.EscapeDataString(filter));
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Assert.Empty((System.Text.Json.Nodes.JsonArray)(await TestServerHost.JsonAsync(response))["records"]!);
        }
        else
        {
            Assert.Equal("filter", (string?)(await TestServerHost.JsonAsync(response))["field"]);
        }
        Assert.NotNull(await host.Storage.GetMetadataAsync(id));
        Assert.Single(await host.Storage.GetModelMetadataAsync("credit_model"));
    }

    [Fact]
    public async Task MalformedFilter_Is400WithTheCaret()
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client(AccessRoles.Reader).GetAsync("/api/v1/records?filter=" + Uri.EscapeDataString("stage = = 'x'"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await TestServerHost.JsonAsync(response);
        Assert.Equal("filter", (string?)problem["field"]);
        Assert.Contains("^", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/records/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/v1/records/..%5C..%5Cwindows")]
    [InlineData("/api/v1/records/abc.json")]
    [InlineData("/api/v1/records/a%01b")]
    [InlineData("/api/v1/records/..%2F..%2Fetc%2Fpasswd/proof")]
    public async Task PathTraversalInIds_Is400(string path)
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client(AccessRoles.Reader).GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("id", (string?)(await TestServerHost.JsonAsync(response))["field"]);
    }

    [Fact]
    public async Task PathTraversalOutsideTheRoute_Is404Problem()
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client(AccessRoles.Reader).GetAsync("/api/v1/records/../../../etc/passwd");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", Json.MediaType(response));
    }

    [Fact]
    public async Task UnexpectedError_Is500WithoutTheExceptionOrAStackTrace()
    {
        await using var host = await TestServerHost.StartAsync(mapEndpoints: app =>
            app.MapGet("/api/v1/boom", string () => throw new InvalidDataException("secret internal detail")));
        var response = await host.Client(AccessRoles.Reader).GetAsync("/api/v1/boom");
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", Json.MediaType(response));
        Assert.DoesNotContain("secret internal detail", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidDataException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProblemDetails_HaveTheRfc9457Shape()
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client(AccessRoles.Reader).GetAsync("/api/v1/records/00000000-0000-0000-0000-000000000000");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await TestServerHost.JsonAsync(response);
        Assert.StartsWith("https://", (string?)problem["type"], StringComparison.Ordinal);
        Assert.Equal("Not Found", (string?)problem["title"]);
        Assert.Equal(404, (int)problem["status"]!);
        Assert.Contains("00000000-0000-0000-0000-000000000000", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal("/api/v1/records/00000000-0000-0000-0000-000000000000", (string?)problem["instance"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["trace_id"]));
    }

    [Fact]
    public async Task RateLimit_PerIdentity_Is429WithRetryAfter_AndOtherIdentitiesGoOn()
    {
        await using var host = await TestServerHost.StartAsync(o =>
        {
            o.RateLimit.Requests = 3;
            o.RateLimit.Window = TimeSpan.FromMinutes(10);
        });
        var reader = host.Client(AccessRoles.Reader);
        for (int i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/models")).StatusCode);
        var limited = await reader.GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", Json.MediaType(limited));
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.OK, (await host.Client(AccessRoles.Auditor).GetAsync("/api/v1/models")).StatusCode);
    }

    [Fact]
    public async Task Cors_IsOffUnlessConfigured()
    {
        await using (var off = await TestServerHost.StartAsync())
        {
            var preflight = await Preflight(off, "https://dashboard.example.com");
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        }
        await using var on = await TestServerHost.StartAsync(o => o.CorsOrigins.Add("https://dashboard.example.com"));
        var allowed = await Preflight(on, "https://dashboard.example.com");
        Assert.Equal("https://dashboard.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var other = await Preflight(on, "https://evil.example.com");
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Responses_CarryTheSecurityHeaders()
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client().GetAsync("/healthz");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        string csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestLog_NamesTheActor_NeverTheKeyOrToken()
    {
        var logs = new CollectingLoggerProvider();
        await using var host = await TestServerHost.StartAsync(builder: b => b.Logging.AddProvider(logs));
        await host.Client(AccessRoles.Reader).GetAsync("/api/v1/models?filter=secret-query");
        var bearer = host.Client();
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "tok.en.value");
        await bearer.GetAsync("/api/v1/models");
        string all = string.Join('\n', logs.Messages);
        Assert.Contains("GET /api/v1/models -> 200", all, StringComparison.Ordinal);
        Assert.Contains("apikey:test-reader", all, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Keys[AccessRoles.Reader], all, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Keys[AccessRoles.Reader][^20..], all, StringComparison.Ordinal);
        Assert.DoesNotContain("tok.en.value", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Invalid_FailAtBuildNamingEachKey()
    {
        using var folder = new Ciaf.Metadata.Tests.Support.TempDirectory();
        using var storage = Ciaf.Metadata.MetadataStorage.Create(b => b.UseSqlite(folder.Path));
        var options = new CiafServerOptions { Storage = storage, Urls = ["ftp://x"], CorsOrigins = ["*"] };
        options.RateLimit.Requests = -1;
        options.Jwt.Authority = "http://idp.example.com";
        var e = Assert.Throws<ArgumentException>(() => CiafServer.Build(options));
        foreach (string key in new[] { "server_urls", "server_cors_origins", "server_rate_limit_requests", "server_jwt_authority", "server_jwt_audience" })
        {
            Assert.Contains(key, e.Message, StringComparison.Ordinal);
        }
    }

    private static Task<HttpResponseMessage> Preflight(TestServerHost host, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/models");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "X-API-Key");
        return host.Client().SendAsync(request);
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        public IEnumerable<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => new Logger(_messages);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
        }
    }
}
