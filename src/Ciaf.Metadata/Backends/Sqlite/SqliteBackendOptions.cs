namespace Ciaf.Metadata.Backends.Sqlite;

/// <summary>Settings of the SQLite backend (<c>b.UseSqlite(path, o => ...)</c>).</summary>
public sealed class SqliteBackendOptions
{
    /// <summary>The default journal mode: <c>WAL</c> (readers never block the writer).</summary>
    public const string DefaultJournalMode = "WAL";

    /// <summary>
    /// SQLite's journal mode (config <c>db_journal_mode</c>): one of <see cref="SqliteMetadataBackend.SupportedJournalModes"/>,
    /// any case.
    /// </summary>
    public string JournalMode { get; set; } = DefaultJournalMode;

    /// <summary>Every problem with these options, keyed by option name; empty when valid.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (SqliteMetadataBackend.NormalizeJournalMode(JournalMode) is null)
        {
            errors[nameof(JournalMode)] = $"'{JournalMode}' is not allowed; valid: {string.Join(", ", SqliteMetadataBackend.SupportedJournalModes)}";
        }
        return errors;
    }
}
