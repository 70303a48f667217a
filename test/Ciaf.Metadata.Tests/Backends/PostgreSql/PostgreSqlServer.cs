using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ciaf.Metadata.PostgreSql;
using Npgsql;

namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary>
/// The PostgreSQL server every PostgreSQL test runs against (one per test run, shared through
/// <see cref="PostgreSqlCollection"/>).
/// </summary>
/// <remarks>
/// With <c>CIAF_TEST_POSTGRES</c> set to a connection string, a fresh database is created on that server and
/// dropped afterwards. Otherwise a throwaway cluster is started: <c>initdb</c> and <c>pg_ctl</c> from
/// <c>/usr/lib/postgresql/15/bin</c> (or <c>CIAF_TEST_POSTGRES_BIN</c>), run as the <c>postgres</c> OS user when the
/// tests run as root (the server refuses root), in a fresh temporary folder, on a free port on 127.0.0.1 with
/// trust authentication; it is stopped and deleted afterwards. A server that cannot be started fails every
/// PostgreSQL test with the reason; these tests never skip.
/// </remarks>
public sealed class PostgreSqlServer : IAsyncLifetime
{
    public const string ExternalVariable = "CIAF_TEST_POSTGRES";
    public const string BinVariable = "CIAF_TEST_POSTGRES_BIN";
    public const string DefaultBin = "/usr/lib/postgresql/15/bin";

    private string? _clusterFolder;
    private string? _dataFolder;
    private string? _adminConnectionString;
    private string? _database;
    private string _serverOptions = string.Empty;

    public PostgreSqlServer()
    {
        // The conformance suites name the backend only as a string: make sure it is registered.
        PostgreSqlBackend.Register();
    }

    /// <summary>The test database's connection string (no schema chosen).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Whether this run started the server itself (and so can restart it).</summary>
    public bool OwnsServer => _dataFolder is not null;

    /// <summary>A connection string for a schema no other test uses (the backend creates it).</summary>
    public string NewSchemaConnectionString(string prefix = "t")
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = $"{prefix}_{Guid.NewGuid():N}" };
        return builder.ConnectionString;
    }

    public async Task InitializeAsync()
    {
        string? external = Environment.GetEnvironmentVariable(ExternalVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            _adminConnectionString = external;
        }
        else
        {
            _adminConnectionString = StartCluster();
        }
        _database = "ciaf_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            // The name is ours (letters, digits, '_'): safe to put into DDL, which takes no parameters.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _database }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_dataFolder is null)
        {
            if (_adminConnectionString is not null && _database is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(_adminConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
            return;
        }
        NpgsqlConnection.ClearAllPools();
        try
        {
            PgCtl("stop", "-m", "immediate", "-w", "-t", "60");
        }
        finally
        {
            try
            {
                Directory.Delete(_clusterFolder!, recursive: true);
            }
            catch (IOException)
            {
                // the OS temp cleaner takes the rest
            }
        }
    }

    // Restart and start pass the options again: pg_ctl restart does not reliably reuse them (it came back on 5432).

    /// <summary>
    /// Restarts the server (<c>pg_ctl restart -m fast</c>: every session is ended with 57P01, new connections are
    /// refused until it is back). On a server this run does not own, ends every session of the test database instead.
    /// </summary>
    public async Task RestartAsync()
    {
        if (OwnsServer)
        {
            await Task.Run(() => PgCtl("restart", "-m", "fast", "-w", "-t", "60", "-o", _serverOptions));
            return;
        }
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var kill = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", admin);
        kill.Parameters.AddWithValue(_database!);
        await kill.ExecuteScalarAsync();
    }

    /// <summary>Stops the server (fast), waits <paramref name="downtime"/>, starts it again. Needs <see cref="OwnsServer"/>.</summary>
    public async Task StopAndStartAsync(TimeSpan downtime)
    {
        if (!OwnsServer) throw new InvalidOperationException("Only a server this run started can be stopped.");
        await Task.Run(() => PgCtl("stop", "-m", "fast", "-w", "-t", "60"));
        await Task.Delay(downtime);
        await Task.Run(() => PgCtl("start", "-w", "-t", "60", "-l", Path.Combine(_clusterFolder!, "server.log"), "-o", _serverOptions));
    }

    /// <summary>An open connection (not pooled, so a restart leaves no dead connection behind) to the test database.</summary>
    public NpgsqlConnection OpenConnection(string? connectionString = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString ?? ConnectionString) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    private string StartCluster()
    {
        string bin = Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } b ? b : DefaultBin;
        if (!File.Exists(Path.Combine(bin, "initdb")) || !File.Exists(Path.Combine(bin, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL tests need a server: set {ExternalVariable} to a connection string, or install the server binaries " +
                $"(initdb and pg_ctl expected in {bin}; e.g. apt-get install postgresql-15, as .ci/run does).");
        }
        // As root, the folder must be reachable by the postgres user: /tmp, not a private TMPDIR.
        _clusterFolder = RunAsPostgres
            ? Path.Combine("/tmp", "ciaf-pg-" + Guid.NewGuid().ToString("N"))
            : Directory.CreateTempSubdirectory("ciaf-pg-").FullName;
        Directory.CreateDirectory(_clusterFolder);
        _dataFolder = Path.Combine(_clusterFolder, "data");
        string sockets = Path.Combine(_clusterFolder, "sockets");
        Directory.CreateDirectory(sockets);
        if (RunAsPostgres) Run("chown", ["-R", "postgres:postgres", _clusterFolder], asPostgres: false);

        Run(Path.Combine(bin, "initdb"),
            ["-D", _dataFolder, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres: RunAsPostgres);
        int port = FreePort();
        _serverOptions = string.Join(' ',
            "-p", port.ToString(CultureInfo.InvariantCulture), "-k", sockets, "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=300");
        PgCtl("start", "-w", "-t", "60", "-l", Path.Combine(_clusterFolder, "server.log"), "-o", _serverOptions);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
        }.ConnectionString;
    }

    private void PgCtl(params string[] args)
    {
        string bin = Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } b ? b : DefaultBin;
        Run(Path.Combine(bin, "pg_ctl"), ["-D", _dataFolder!, .. args], asPostgres: RunAsPostgres);
    }

    // initdb and postgres refuse to run as root.
    private static bool RunAsPostgres => Environment.IsPrivilegedProcess;

    private static void Run(string program, string[] args, bool asPostgres)
    {
        var psi = asPostgres ? new ProcessStartInfo("runuser") : new ProcessStartInfo(program);
        if (asPostgres)
        {
            foreach (var a in (string[])["-u", "postgres", "--", program]) psi.ArgumentList.Add(a);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {program}.");
        // pg_ctl start leaves the server holding inherited pipes open: read asynchronously, never to the end.
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 120 s.");
        }
        if (process.ExitCode != 0)
        {
            string text;
            lock (output) text = output.ToString();
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {text}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
