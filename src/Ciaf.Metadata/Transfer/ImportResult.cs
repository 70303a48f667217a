namespace Ciaf.Metadata.Transfer;

/// <summary>What <c>MetadataStorage.ImportMetadata</c> did with each entry of the file.</summary>
public sealed record ImportResult
{
    /// <summary>The file imported.</summary>
    public required string Path { get; init; }

    /// <summary>Records written, with their ids, timestamps and hashes unchanged.</summary>
    public int Imported { get; init; }

    /// <summary>Records already in the store, identical (same id, fields and hash): nothing to do.</summary>
    public int Skipped { get; init; }

    /// <summary>
    /// Entries left out by choice, not by error: MLflow runs that are deleted (or whose experiment is), when the import
    /// does not include deleted runs.
    /// </summary>
    public int ExcludedDeleted { get; init; }

    /// <summary>Compliance events written (an export of compliance events imports as well).</summary>
    public int ComplianceEventsImported { get; init; }

    /// <summary>Compliance events already in the store, identical.</summary>
    public int ComplianceEventsSkipped { get; init; }

    /// <summary>
    /// Imported records that hold sensitive fields in plaintext in a store that encrypts them (only when the caller allowed it).
    /// </summary>
    public int PlaintextSensitiveImported { get; init; }

    /// <summary>
    /// Records not imported because their hash does not match their metadata (tampered or damaged), or
    /// because the store already holds a different record with the same id. Never silently accepted.
    /// </summary>
    public IReadOnlyList<ImportIssue> Mismatched { get; init; } = [];

    /// <summary>
    /// Entries that could not be read or are not valid records (bad JSON, missing field, invalid name or id), and records
    /// refused because they hold sensitive fields in plaintext while the store encrypts them.
    /// </summary>
    public IReadOnlyList<ImportIssue> Errors { get; init; } = [];

    /// <summary>Whether every entry was imported or already present.</summary>
    public bool IsClean => Mismatched.Count == 0 && Errors.Count == 0;
}
