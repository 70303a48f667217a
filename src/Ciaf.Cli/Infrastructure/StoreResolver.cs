using Ciaf.Cli.Commands;
using Ciaf.Metadata;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Storage;

namespace Ciaf.Cli.Infrastructure;

/// <summary>
/// Finds the store a command works on the way git finds its repository, in this order: <c>--store</c>/<c>--backend</c>,
/// <c>--config FILE</c>, the <c>CIAF_*</c> environment variables (over <c>./ciaf_config.json</c>), <c>./ciaf_config.json</c>,
/// the working directory if it is a store, <c>ciaf_config.json</c> in the nearest parent that has one, then the
/// store the last <c>ciaf demo</c>/<c>ciaf init</c> in the working directory created (<see cref="StoreMarker"/>).
/// The first that is present wins and is named on stderr.
/// </summary>
internal sealed class StoreResolver(CliHost host, GlobalSettings settings)
{
    /// <summary>The variables that name a store on their own (others only tune one).</summary>
    private static readonly string[] StoreVariables = ["CIAF_STORAGE_PATH", "CIAF_STORAGE_BACKEND"];

    /// <summary>Resolves the store without opening it.</summary>
    /// <exception cref="CliException">No store is named anywhere, or the configuration cannot be read.</exception>
    public ResolvedStore Resolve()
    {
        string localConfig = host.FullPath(MetadataConfig.DefaultConfigFileName);
        if (settings.Store is not null || settings.Backend is not null)
        {
            if (settings.Store is null)
            {
                // --backend alone: the path comes from the next source that names one.
                var inner = ResolveWithoutCommandLine(localConfig)
                    ?? throw CliException.Usage("--backend needs a store: pass --store PATH as well (or --config, CIAF_STORAGE_PATH, ./ciaf_config.json).");
                var options = inner.Options;
                options.Backend = CheckBackend(settings.Backend!);
                return inner with { Source = $"--backend {settings.Backend} with the path from {inner.Source}" };
            }
            string path = host.FullPath(settings.Store);
            string backend = settings.Backend is null ? DetectBackend(path) : CheckBackend(settings.Backend);
            string how = settings.Backend is null ? (Directory.Exists(path) ? "detected" : "default") : "--backend";
            return ForPath(path, backend, $"--store ({backend}, {how})");
        }
        return ResolveWithoutCommandLine(localConfig)
            ?? throw new CliException(
                "No store found here or in a parent folder: pass --store PATH or --config FILE, set CIAF_STORAGE_PATH, or run 'ciaf init' (or 'ciaf demo') in this folder.");
    }

    /// <summary>
    /// A second store named on the command line (<c>migrate</c>'s target): <c>--to-config FILE</c>, or a path with a
    /// backend, whose connection string (for a server backend) comes from the environment as for <c>--store</c>.
    /// </summary>
    /// <exception cref="CliException">Both or neither are given, the backend is unknown, or the configuration cannot be read.</exception>
    public ResolvedStore ResolveOther(string? path, string? backend, string? configFile, string names)
    {
        if (configFile is not null)
        {
            if (path is not null || backend is not null) throw CliException.Usage($"{names}: give a configuration file or a path with a backend, not both.");
            string file = host.FullPath(configFile);
            return FromConfig(LoadConfig(file), $"config {file}");
        }
        if (path is null || backend is null) throw CliException.Usage($"{names}: give a path with a backend, or a configuration file.");
        string full = host.FullPath(path);
        return ForPath(full, CheckBackend(backend), $"{full} ({backend.ToLowerInvariant()})");
    }

    /// <summary>The configuration the store comes from (for <c>config show</c>): --config, then the environment, then ciaf_config.json here or in a parent folder, then the defaults.</summary>
    public (MetadataConfig Config, string Source) ResolveConfig()
    {
        string localConfig = host.FullPath(MetadataConfig.DefaultConfigFileName);
        if (settings.Config is not null) return (LoadConfig(host.FullPath(settings.Config)), $"--config {host.FullPath(settings.Config)}");
        bool env = StoreVariables.Any(v => !string.IsNullOrEmpty(host.GetEnvironmentVariable(v)));
        bool local = File.Exists(localConfig);
        if (env) return (LoadConfig(local ? localConfig : null), local ? $"CIAF_* environment variables over {localConfig}" : "CIAF_* environment variables");
        if (FindConfigFile() is { } found) return (LoadConfig(found), found);
        return (LoadConfig(null), "defaults (no --config, CIAF_* variables or ciaf_config.json here or in a parent folder)");
    }

    /// <summary>Resolves and opens the store.</summary>
    /// <param name="mustExist">True for commands that read: a missing store folder is an error instead of a new empty store.</param>
    public MetadataStorage Open(CliContext context, bool mustExist = true) => Open(context, Resolve(), mustExist);

    /// <summary>Opens a resolved store, naming it on stderr.</summary>
    public static MetadataStorage Open(CliContext context, ResolvedStore store, bool mustExist)
    {
        string path = store.Options.StoragePath;
        // A server store (PostgreSQL, or a remote one behind ciaf serve) lives elsewhere: its local folder only receives exports.
        bool serverStore = string.Equals(store.Options.Backend, Ciaf.Metadata.PostgreSql.PostgreSqlBackend.Name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(store.Options.Backend, RemoteBuilderExtensions.BackendName, StringComparison.OrdinalIgnoreCase);
        if (mustExist && !serverStore && !Directory.Exists(path))
        {
            throw new CliException($"No store at '{path}' (from {store.Source}). Check the path, or create one with 'ciaf init' or 'ciaf save'.");
        }
        context.Note($"store: {path} [{store.Options.Backend}] from {store.Source}");
        // The library reports some problems only through its logger (a key file others can read): show them.
        store.Options.LoggerFactory = context.LoggerFactory;
        // The ledger's signing key and witness folder follow the person, not the store: the environment gives them
        // whatever named the store (--store included), unless the configuration did.
        if (store.Options.LedgerKeyPath is null && context.Host.GetEnvironmentVariable(LedgerCommand.KeyPathVariable) is { Length: > 0 } key)
            store.Options.LedgerKeyPath = context.Host.FullPath(key);
        if (store.Options.LedgerWitnessPath is null && context.Host.GetEnvironmentVariable("CIAF_LEDGER_WITNESS_PATH") is { Length: > 0 } witness)
            store.Options.LedgerWitnessPath = context.Host.FullPath(witness);
        return new MetadataStorage(store.Options);
    }

    private ResolvedStore ForPath(string path, string backend, string source)
    {
        // A server backend's connection string (or a remote store's key) is a secret: it comes from the environment,
        // never the command line.
        string? connectionString = host.GetEnvironmentVariable("CIAF_POSTGRES_CONNECTION") is { Length: > 0 } cs ? cs : null;
        return new ResolvedStore(new MetadataStorageOptions
        {
            StoragePath = path,
            Backend = backend,
            ConnectionString = connectionString,
            ServerUrl = host.GetEnvironmentVariable("CIAF_SERVER_URL") is { Length: > 0 } url ? url : null,
            ApiKey = host.GetEnvironmentVariable("CIAF_API_KEY") is { Length: > 0 } key ? key : null,
        }, source, null);
    }

    private ResolvedStore? ResolveWithoutCommandLine(string localConfig)
    {
        if (settings.Config is not null)
        {
            string file = host.FullPath(settings.Config);
            return FromConfig(LoadConfig(file), $"--config {file}");
        }
        var variables = StoreVariables.Where(v => !string.IsNullOrEmpty(host.GetEnvironmentVariable(v))).ToArray();
        if (variables.Length > 0)
        {
            // The environment wins over ./ciaf_config.json, key by key, as MetadataConfig.Default reads them.
            bool local = File.Exists(localConfig);
            return FromConfig(LoadConfig(local ? localConfig : null),
                string.Join(", ", variables) + (local ? $" over {localConfig}" : string.Empty));
        }
        // ./ciaf_config.json first, as before: it may name this very folder with settings (an encryption key) that
        // opening the folder as a bare store would lose.
        if (File.Exists(localConfig))
        {
            return FromConfig(LoadConfig(localConfig), localConfig);
        }
        string here = host.WorkingDirectory;
        if (IsStore(here))
        {
            return ForPath(here, DetectBackend(here), "the current folder (a store)");
        }
        if (FindConfigFile() is { } configFile)
        {
            return FromConfig(LoadConfig(configFile), configFile, Path.GetDirectoryName(configFile));
        }
        if (StoreMarker.Read(here) is { } marker)
        {
            string source = $"./{StoreMarker.FileName} (the last '{marker.CreatedBy ?? "ciaf"}' here)";
            if (marker.ConfigFile is { Length: > 0 } markedConfig)
            {
                string file = host.FullPath(markedConfig);
                return FromConfig(LoadConfig(file), $"{file}, named by {source}", Path.GetDirectoryName(file));
            }
            string path = host.FullPath(marker.StoragePath!);
            return ForPath(path, marker.StorageBackend is { Length: > 0 } b ? CheckBackend(b) : DetectBackend(path), source);
        }
        return null;
    }

    /// <summary>
    /// Whether a folder holds a store: a SQLite database, pickle records, or the JSON backend's compliance events
    /// folder (a JSON store has no other sign of its own; any folder of model folders could be one).
    /// </summary>
    internal static bool IsStore(string folder) =>
        !string.Equals(DetectBackend(folder), MetadataStorageOptions.DefaultBackend, StringComparison.Ordinal)
        || Directory.Exists(Path.Combine(folder, "compliance_events"));

    /// <summary><c>ciaf_config.json</c> in the working directory or its nearest parent that has one.</summary>
    private string? FindConfigFile()
    {
        for (var folder = new DirectoryInfo(host.WorkingDirectory); folder is not null; folder = folder.Parent)
        {
            string file = Path.Combine(folder.FullName, MetadataConfig.DefaultConfigFileName);
            if (File.Exists(file)) return file;
        }
        return null;
    }

    /// <param name="config">The configuration.</param>
    /// <param name="source">Where it came from, for the note on stderr.</param>
    /// <param name="baseDirectory">What a relative storage_path is relative to: a configuration found in a parent folder
    /// (or named by the marker) is read relative to its own folder; otherwise the working directory, as for the Python reference.</param>
    private ResolvedStore FromConfig(MetadataConfig config, string source, string? baseDirectory = null)
    {
        MetadataStorageOptions options;
        try
        {
            options = MetadataStorageOptions.FromConfig(config);
        }
        catch (MetadataConfigException e)
        {
            throw new CliException($"Invalid configuration ({source}): {OneLine(e.Message)}", ExitCodes.Failure, e);
        }
        string relativeTo = baseDirectory ?? host.WorkingDirectory;
        options.StoragePath = Path.GetFullPath(options.StoragePath, relativeTo);
        // The key file likewise (the CLI's working directory may not be the process's).
        if (options.EncryptionKeyPath is { Length: > 0 } keyPath) options.EncryptionKeyPath = Path.GetFullPath(keyPath, relativeTo);
        return new ResolvedStore(options, source, config);
    }

    private static MetadataConfig LoadConfig(string? file)
    {
        try
        {
            return new MetadataConfig(file);
        }
        catch (FileNotFoundException)
        {
            throw new CliException($"Configuration file '{file}' not found.");
        }
        catch (Exception e) when (e is MetadataConfigException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read configuration file '{file}': {OneLine(e.Message)}", ExitCodes.Failure, e);
        }
    }

    private static string CheckBackend(string backend)
    {
        if (!MetadataBackends.IsRegistered(backend))
        {
            throw CliException.Usage($"Unknown backend '{backend}'. Valid: {string.Join(", ", MetadataBackends.Names)}.");
        }
        return backend.ToLowerInvariant();
    }

    /// <summary>The backend of an existing store folder, from what it holds; the library default for a new one.</summary>
    internal static string DetectBackend(string path) => MetadataBackends.Detect(path);

    internal static string OneLine(string message) =>
        string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Replace(":;", ":", StringComparison.Ordinal);
}

/// <summary>A store found by <see cref="StoreResolver"/>: how to open it, and where that came from.</summary>
internal sealed record ResolvedStore(MetadataStorageOptions Options, string Source, MetadataConfig? Config);
