using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Remote.Tests.Support;

/// <summary>
/// A test class with one in-memory server (<see cref="Server"/>, its store adjusted by <paramref name="serverStore"/>)
/// for its remote stores, and a local folder (<see cref="Client"/>) for them; both gone after each test.
/// </summary>
public abstract class ServedStoreTests(Action<MetadataStorageOptions>? serverStore = null) : IAsyncLifetime
{
    /// <summary>The clients' local folder (their exports).</summary>
    protected TempDirectory Client { get; } = new();

    /// <summary>The server.</summary>
    protected RemoteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RemoteServer.StartAsync(serverStore);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Client.Dispose();
    }
}
