using System.Net;
using System.Text.RegularExpressions;
using Ciaf.Cli.Infrastructure;
using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary><c>ciaf apikey</c> and <c>ciaf serve</c>: keys made on the command line open the HTTP API.</summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ApiKeyCreate_Json_PrintsTheKeyOnce_ListNeverShowsIt_RevokeStopsIt()
    {
        await CiafTool.OkAsync(_folder.Path, "init", "store", "--backend", "sqlite");
        string store = _folder.Combine("store_metadata");
        var created = (await CiafTool.OkAsync(_folder.Path, "apikey", "create", "alice", "--role", "auditor", "--expires", "90d", "--json", "--store", store)).Json();
        string key = (string)created["key"]!;
        Assert.Equal(("alice", "auditor"), ((string?)created["name"], (string?)created["role"]));
        Assert.StartsWith("ciaf_", key, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.Parse((string)created["expires_at"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddDays(89));

        var list = await CiafTool.OkAsync(_folder.Path, "apikey", "list", "--json", "--store", store);
        Assert.DoesNotContain(key[^20..], list.Stdout, StringComparison.Ordinal);
        Assert.Equal("active", (string?)list.Json()[0]!["status"]);

        await CiafTool.OkAsync(_folder.Path, "apikey", "revoke", "alice", "--store", store);
        Assert.Equal("revoked", (string?)(await CiafTool.OkAsync(_folder.Path, "apikey", "list", "--json", "--store", store)).Json()[0]!["status"]);
        var again = await CiafTool.RunAsync(_folder.Path, "apikey", "revoke", "alice", "--store", store);
        Assert.Equal(ExitCodes.Failure, again.ExitCode);
    }

    [Theory]
    [InlineData("--role", "root")]
    [InlineData("--expires", "yesterday")]
    public async Task ApiKeyCreate_BadRoleOrExpiry_IsAUsageError(string option, string value)
    {
        await CiafTool.OkAsync(_folder.Path, "init", "store", "--backend", "sqlite");
        var args = new List<string> { "apikey", "create", "bob", "--store", _folder.Combine("store_metadata") };
        if (option != "--role") args.AddRange(["--role", "reader"]);
        args.AddRange([option, value]);
        var result = await CiafTool.RunAsync(_folder.Path, [.. args]);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(value, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AnswersWithTheKey_AndStopsOnCancel()
    {
        await CiafTool.OkAsync(_folder.Path, "init", "store", "--backend", "sqlite");
        string store = _folder.Combine("store_metadata");
        string key = (await CiafTool.OkAsync(_folder.Path, "apikey", "create", "job", "--role", "writer", "--store", store)).Stdout.Trim();

        var stderr = new StringWriter();
        var syncStderr = TextWriter.Synchronized(stderr);
        using var cts = new CancellationTokenSource();
        var host = new CliHost { WorkingDirectory = _folder.Path, GetEnvironmentVariable = Environment.GetEnvironmentVariable };
        var serving = CliApp.RunAsync(["serve", "--store", store, "--urls", "http://127.0.0.1:0"], TextWriter.Null, syncStderr, host, cts.Token);

        string url = await WaitForUrlAsync(stderr, syncStderr, serving);
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/models")).StatusCode);
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        var post = await client.PostAsync("/api/v1/records", new StringContent(
            """{"model_name": "served", "stage": "training", "event_type": "e"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);

        await cts.CancelAsync();
        // A wide hang guard, not a timing claim.
        Assert.Equal(ExitCodes.Success, await serving.WaitAsync(TimeSpan.FromSeconds(60)));
        // The 201 meant durable: the record is in the store once the server has stopped.
        Assert.Contains("served", (await CiafTool.OkAsync(_folder.Path, "list", "--json", "--store", store)).Stdout, StringComparison.Ordinal);
    }

    // The synchronized writer's methods lock the writer itself: reading under the same lock sees whole writes.
    private static async Task<string> WaitForUrlAsync(StringWriter stderr, TextWriter writerLock, Task<int> serving)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (serving.IsCompleted) Assert.Fail($"serve exited ({await serving}): {stderr}");
            string text;
            lock (writerLock) text = stderr.ToString();
            if (ListeningOn().Match(text) is { Success: true } m) return m.Groups[1].Value;
            await Task.Delay(50);
        }
        Assert.Fail("serve did not report its URL: " + stderr);
        return string.Empty;
    }

    [GeneratedRegex(@"listening on (http://[0-9.:]+)")]
    private static partial Regex ListeningOn();
}
