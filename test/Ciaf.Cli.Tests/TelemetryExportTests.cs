using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary>
/// <c>metrics_endpoint</c>: <c>ciaf</c> exports the library's meter over OTLP/HTTP (protobuf) to the configured
/// collector, checked against a local OTLP/HTTP listener on loopback.
/// </summary>
public sealed class TelemetryExportTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> _requests = new();
    private readonly string _endpoint;
    private readonly Task _serve;

    public TelemetryExportTests()
    {
        int port = FreePort();
        _endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(_endpoint + "/");
        _listener.Start();
        _serve = Task.Run(ServeAsync);
    }

    public void Dispose()
    {
        _listener.Close();
        _folder.Dispose();
    }

    [Fact]
    public async Task Save_WithMetricsEndpoint_ExportsTheMeterOverOtlpHttp()
    {
        WriteConfig(enableMetrics: true, endpoint: _endpoint);
        await CiafTool.OkAsync(_folder.Path, "--config", "cfg.json", "save", "m", "training", "trained", "--metadata", "{\"a\": 1}");

        // The exporter flushes when the command ends: the request has arrived by the time the run returned.
        var metrics = _requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(metrics);
        Assert.All(metrics, r => Assert.Equal("application/x-protobuf", r.ContentType));
        byte[] body = [.. metrics.SelectMany(r => r.Body)];
        // Protobuf carries instrument and meter names as plain UTF-8 strings.
        Assert.True(Contains(body, "ciaf.metadata.writes"), "the export holds the ciaf.metadata.writes counter");
        Assert.True(Contains(body, "Ciaf.Metadata"), "the export names the Ciaf.Metadata meter");
    }

    [Fact]
    public async Task Save_MetricsDisabledOrNoEndpoint_SendsNothing()
    {
        WriteConfig(enableMetrics: false, endpoint: _endpoint);
        await CiafTool.OkAsync(_folder.Path, "--config", "cfg.json", "save", "m", "training", "trained");
        WriteConfig(enableMetrics: true, endpoint: null);
        await CiafTool.OkAsync(_folder.Path, "--config", "cfg.json", "save", "m", "training", "trained");
        Assert.Empty(_requests);
    }

    private void WriteConfig(bool enableMetrics, string? endpoint) =>
        File.WriteAllText(_folder.Combine("cfg.json"), new JsonObject
        {
            ["storage_backend"] = "json",
            ["storage_path"] = "store",
            ["enable_metrics"] = enableMetrics,
            ["metrics_endpoint"] = endpoint,
        }.ToJsonString());

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _requests.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
