using Ciaf.Metadata;
using Ciaf.Metadata.Storage;

namespace Ciaf.Remote.Tests.Support;

/// <summary>
/// A server per client store path, started on first use (in memory by default, or by <paramref name="start"/>): a test
/// that opens several remote stores (a migration) gets several servers, as it would get several folders.
/// </summary>
public sealed class RemoteServers(Func<Task<IRemoteServer>>? start = null) : IAsyncDisposable
{
    private readonly Dictionary<string, IRemoteServer> _servers = new(StringComparer.Ordinal);
    private readonly Func<Task<IRemoteServer>> _start = start ?? (async () => await RemoteServer.StartAsync());

    /// <summary>The server of the remote store at <paramref name="clientPath"/>, started if it is the first use.</summary>
    public IRemoteServer For(string clientPath)
    {
        string key = Path.GetFullPath(clientPath);
        lock (_servers)
        {
            if (!_servers.TryGetValue(key, out var server)) _servers[key] = server = _start().GetAwaiter().GetResult();
            return server;
        }
    }

    /// <summary>The served store's folder behind the remote store at <paramref name="clientPath"/>.</summary>
    public string ServerRoot(string clientPath) => For(clientPath).StoreRoot;

    /// <summary>Every served store's folder so far.</summary>
    public IReadOnlyList<string> ServerRoots
    {
        get
        {
            lock (_servers) return [.. _servers.Values.Select(s => s.StoreRoot)];
        }
    }

    /// <summary>Opens <paramref name="options"/>: a <c>remote</c> store through its server (admin key), any other backend by name.</summary>
    public MetadataStorage Open(MetadataStorageOptions options) =>
        string.Equals(options.Backend, RemoteBuilderExtensions.BackendName, StringComparison.OrdinalIgnoreCase)
            ? For(options.StoragePath).Open(options)
            : new MetadataStorage(options);

    public async ValueTask DisposeAsync()
    {
        List<IRemoteServer> servers;
        lock (_servers)
        {
            servers = [.. _servers.Values];
            _servers.Clear();
        }
        foreach (var server in servers) await server.DisposeAsync();
    }
}
