using System.Text;
using Ciaf.Metadata;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Conformance;
using Ciaf.Remote.Tests.Support;

namespace Ciaf.Remote.Tests.Conformance;

// The library's conformance suites against the remote backend: each store a client opens is served by an in-memory
// `ciaf serve` (TestServer) over a SQLite store of its own. Corrupt and hand-edited entries are planted in that
// server store, where they would be. The Python reference has no remote store, so the fixture tests are skipped.

public sealed class RemoteImmediateConformance : StorageConformanceTests, IAsyncLifetime
{
    private readonly RemoteServers _servers = new();
    protected override string BackendName => RemoteBuilderExtensions.BackendName;
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => null;
    protected override MetadataStorage OpenStorage(MetadataStorageOptions options) => _servers.Open(options);
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantSqlite(_servers.ServerRoot(root), modelName);
    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _servers.DisposeAsync().AsTask();
}

public sealed class RemoteBufferedConformance : StorageConformanceTests, IAsyncLifetime
{
    private readonly RemoteServers _servers = new();
    protected override string BackendName => RemoteBuilderExtensions.BackendName;
    protected override WriteMode Mode => WriteMode.Buffered;
    protected override string? FixtureStore => null;
    protected override MetadataStorage OpenStorage(MetadataStorageOptions options) => _servers.Open(options);
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantSqlite(_servers.ServerRoot(root), modelName);
    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _servers.DisposeAsync().AsTask();
}

public sealed class RemoteImmediateSecurityConformance : SecurityConformanceTests, IAsyncLifetime
{
    private readonly RemoteServers _servers = new();
    protected override string BackendName => RemoteBuilderExtensions.BackendName;
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override MetadataStorage OpenStorage(MetadataStorageOptions options) => _servers.Open(options);
    protected override string StoredText() => base.StoredText() + "\n" + RemoteStoreFiles.Text(_servers.ServerRoots);
    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _servers.DisposeAsync().AsTask();
}

public sealed class RemoteBufferedSecurityConformance : SecurityConformanceTests, IAsyncLifetime
{
    private readonly RemoteServers _servers = new();
    protected override string BackendName => RemoteBuilderExtensions.BackendName;
    protected override WriteMode Mode => WriteMode.Buffered;
    protected override MetadataStorage OpenStorage(MetadataStorageOptions options) => _servers.Open(options);
    protected override string StoredText() => base.StoredText() + "\n" + RemoteStoreFiles.Text(_servers.ServerRoots);
    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _servers.DisposeAsync().AsTask();
}

[Collection(RemoteSerialCollection.Name)]
public sealed class RemoteOperationsConformance : OperationsConformanceTests, IAsyncLifetime
{
    private readonly RemoteServers _servers = new();
    protected override string BackendName => RemoteBuilderExtensions.BackendName;
    protected override string OtherBackend => "sqlite";
    protected override string? BackupUnsupportedReason =>
        "A remote store is backed up where it lives: on the server (ciaf backup there, or its database's own tools); Backup() throws NotSupportedException.";
    protected override MetadataStorage OpenStorage(MetadataStorageOptions options) => _servers.Open(options);
    protected override string RecordLocationHint(MetadataStorage storage, string model) => $"{RemoteServer.Url} (ciaf_metadata.db#";
    protected override void EditRecordOnDisk(string root, string modelName, string id) => HandEdits.Sqlite(_servers.ServerRoot(root), id);
    protected override void PlantCorrupt(string root) => CorruptFiles.PlantSqlite(_servers.ServerRoot(root), "credit scoring");
    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _servers.DisposeAsync().AsTask();
}

/// <summary>Everything the server stores hold, as text (database and WAL included), for the suites that look for plaintext.</summary>
internal static class RemoteStoreFiles
{
    public static string Text(IEnumerable<string> roots) => string.Join("\n", roots.Where(Directory.Exists)
        .SelectMany(root => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        .Select(path =>
        {
            try
            {
                return Encoding.Latin1.GetString(File.ReadAllBytes(path));
            }
            catch (IOException)
            {
                return string.Empty; // a file being renamed or held open exclusively: no content of its own
            }
        }));
}

/// <summary>Test classes that measure the process's live memory run alone (after the parallel ones).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RemoteSerialCollection
{
    public const string Name = "RemoteSerial";
}

/// <summary>
/// The storage suite once against a real <c>ciaf serve</c> process per store, opened by name (server_url, api_key) over
/// the pooled socket handler: what a deployment does, end to end.
/// </summary>
public sealed class RemoteProcessConformance : StorageConformanceTests, IAsyncLifetime
{
    private readonly RemoteServers _servers = new(async () => await ServeProcess.StartAsync());
    protected override string BackendName => RemoteBuilderExtensions.BackendName;
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => null;
    protected override MetadataStorage OpenStorage(MetadataStorageOptions options) => _servers.Open(options);
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantSqlite(_servers.ServerRoot(root), modelName);
    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _servers.DisposeAsync().AsTask();
}

/// <summary>
/// Writer processes on one remote store, and writers killed mid-way: the children reach a real <c>ciaf serve</c> process
/// by name, with its URL and an admin key in their environment.
/// </summary>
public sealed class RemoteWriterProcessesConformance : ProcessConformanceTests, IAsyncLifetime
{
    private ServeProcess _server = null!;
    protected override string BackendName => RemoteBuilderExtensions.BackendName;
    protected override IReadOnlyDictionary<string, string>? ChildEnvironment =>
        new Dictionary<string, string> { ["CIAF_SERVER_URL"] = _server.Url, ["CIAF_API_KEY"] = _server.Keys[Ciaf.Metadata.Access.AccessRoles.Admin] };
    protected override MetadataStorage OpenStorage(MetadataStorageOptions options) => _server.Open(options);
    public async Task InitializeAsync() => _server = await ServeProcess.StartAsync();
    public Task DisposeAsync() => _server.DisposeAsync().AsTask();
}
