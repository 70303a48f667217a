using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Backends.Sqlite;

namespace Ciaf.Metadata.Backends;

/// <summary>The backends this package ships: their configuration names and how a tool recognizes their stores.</summary>
internal static class BuiltInBackends
{
    /// <summary>Each name with its builder call, reading the path and settings from the builder's options.</summary>
    public static readonly (string Name, Action<MetadataStorageBuilder> Use)[] ByName =
    [
        ("json", b => b.UseJson(b.Options.StoragePath)),
        ("sqlite", b => b.UseSqlite(b.Options.StoragePath, o => o.JournalMode = b.Options.JournalMode)),
        ("pickle", b => b.UsePickle(b.Options.StoragePath)),
        // Read-only: the reference's CompressedMetadataStorage stores, opened to be migrated.
        ("compressed_json", b => b.UseCompressedJson(b.Options.StoragePath)),
        ("compressed_sqlite", b => b.UseCompressedSqlite(b.Options.StoragePath)),
        // A store served by ciaf serve: server_url and api_key come from the options (configuration, CIAF_* variables).
        (RemoteBuilderExtensions.BackendName, b => b.UseRemote(o => o.TransientRetryTimeout = b.Options.BusyTimeout)),
    ];

    /// <summary>Checked in order to detect an existing store's backend; the default backend (json) needs no marker.</summary>
    public static readonly (string Name, Func<string, bool> HoldsStore)[] Detectors =
    [
        ("sqlite", SqliteMetadataBackend.HoldsStore),
        ("pickle", PickleMetadataBackend.HoldsStore),
    ];
}
