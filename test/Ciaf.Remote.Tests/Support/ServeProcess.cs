using System.Diagnostics;
using System.Text.RegularExpressions;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Remote.Tests.Support;

/// <summary>
/// A real <c>ciaf serve</c> process (the CLI built next to these tests) on 127.0.0.1 with a port the system picks, over
/// a SQLite store of its own with a key per role (provisioned out of band, as <see cref="RemoteServer"/> does). A client
/// reaches it by name, as a configuration would: <c>storage_backend: remote</c>, <c>server_url</c>, <c>api_key</c>.
/// </summary>
public sealed partial class ServeProcess : IRemoteServer
{
    private readonly TempDirectory _folder;
    private readonly Process _process;
    private readonly Dictionary<string, string> _keys;
    private readonly List<string> _output = [];

    private ServeProcess(TempDirectory folder, Process process, Dictionary<string, string> keys)
    {
        _folder = folder;
        _process = process;
        _keys = keys;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; private set; } = string.Empty;

    /// <inheritdoc />
    public string StoreRoot => _folder.Combine("store");

    /// <summary>The key of each role.</summary>
    public IReadOnlyDictionary<string, string> Keys => _keys;

    /// <summary>Starts the process and waits (at most a minute: a hang guard) until it says where it listens.</summary>
    /// <exception cref="InvalidOperationException">It exited or did not say so: its output is in the message.</exception>
    public static async Task<ServeProcess> StartAsync()
    {
        var folder = new TempDirectory();
        Dictionary<string, string> keys;
        await using (var storage = MetadataStorage.Create(b => b.UseSqlite(folder.Combine("store"))))
        {
            keys = await RemoteServer.ProvisionKeysAsync(storage, folder.Combine("keys"));
        }
        string dll = Path.Combine(AppContext.BaseDirectory, "ciaf.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("The ciaf CLI was not built next to the tests.", dll);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder.Path,
        };
        foreach (var arg in new[] { dll, "serve", "--store", folder.Combine("store"), "--backend", "sqlite", "--urls", "http://127.0.0.1:0" })
            psi.ArgumentList.Add(arg);
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("CIAF_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(name);
        psi.Environment["CIAF_SERVER_RATE_LIMIT"] = "0";
        var server = new ServeProcess(folder, Process.Start(psi)!, keys);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (server._output) server._output.Add(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m) listening.TrySetResult(m.Value);
        }
        server._process.OutputDataReceived += Read;
        server._process.ErrorDataReceived += Read;
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        var exited = server._process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(1)));
        if (first != listening.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"ciaf serve did not start: {string.Join('\n', server.Output)}");
        }
        server.Url = await listening.Task;
        return server;
    }

    /// <summary>What the process wrote so far (stdout and stderr).</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output) return [.. _output];
        }
    }

    /// <inheritdoc />
    public MetadataStorage Open(MetadataStorageOptions options, string role = AccessRoles.Admin)
    {
        options.ServerUrl = Url;
        options.ApiKey = _keys[role];
        return new MetadataStorage(options);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(guard.Token);
        }
        _process.Dispose();
        _folder.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex Listening();
}
