using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Tests.Interop;

/// <summary>
/// An OpenLineage endpoint on loopback (HttpListener) that can be stopped and started again on the same port: keeps every
/// event body it accepted, the Authorization headers it saw, and answers <see cref="Status"/>.
/// </summary>
internal sealed class LineageListener : IDisposable
{
    private HttpListener? _listener;
    private Task? _loop;

    public LineageListener()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/api/v1/lineage");

    public ConcurrentQueue<JsonObject> Events { get; } = new();

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public int Status { get; set; } = 201;

    public int Requests;

    public void Start()
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _listener = listener;
        _loop = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                Interlocked.Increment(ref Requests);
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                string body = await reader.ReadToEndAsync();
                Authorizations.Enqueue(context.Request.Headers["Authorization"]);
                context.Response.StatusCode = Status;
                if (Status is >= 200 and < 300) Events.Enqueue(JsonNode.Parse(body)!.AsObject());
                context.Response.Close();
            }
        });
    }

    public void Stop()
    {
        // Close alone: after Stop, the managed HttpListener's Close removes its prefixes again and, finding the port's
        // endpoint gone, binds the port anew to remove them from it, which fails when another process took the port
        // meanwhile ("Address already in use", seen once in CI).
        _listener?.Close();
        _loop?.Wait(TimeSpan.FromSeconds(10));
        _listener = null;
    }

    public void Dispose() => Stop();
}
