namespace Ciaf.Metadata.Storage;

/// <summary>
/// The folders the store keeps in its root for what it writes besides records, whatever the backend (a server
/// backend's root holds only these). Backends never use them as model folders (<see cref="NameRules.ReservedNames"/>).
/// </summary>
public static class StoreFolders
{
    /// <summary>Where exports go by default: <c>&lt;root&gt;/exports</c>.</summary>
    public const string Exports = "exports";

    /// <summary>Where backups go by default: <c>&lt;root&gt;/backups</c>.</summary>
    public const string Backups = "backups";

    /// <summary>Where a file store keeps its tamper-evident log (docs/ledger.md): <c>&lt;root&gt;/ledger</c>.</summary>
    public const string Ledger = "ledger";

    /// <summary>The name prefix of a file still being written (moved into place when complete); readers and backups skip them.</summary>
    public const string TempFilePrefix = ".tmp-";

    /// <summary>The name prefix of the empty file the store creates (and deletes) to check it can write its folder.</summary>
    public const string WriteProbePrefix = ".ciaf-write-probe-";
}
