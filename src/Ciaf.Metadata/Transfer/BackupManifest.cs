namespace Ciaf.Metadata.Transfer;

/// <summary>
/// The <c>manifest.json</c> at the root of a backup archive: which backend wrote it, when, and every file
/// with its size and SHA-256. <c>MetadataStorage.Restore</c> checks all of it before writing anything.
/// </summary>
public sealed record BackupManifest
{
    /// <summary>The value of <see cref="Format"/> in every backup this library writes.</summary>
    public const string FormatName = "ciaf-metadata-backup";

    /// <summary>The manifest's entry name in the archive.</summary>
    public const string EntryName = "manifest.json";

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>The manifest layout version (1).</summary>
    public int Version { get; init; } = 1;

    /// <summary>The backend of the store backed up (<c>json</c>, <c>sqlite</c>, ...): open the restored folder with it.</summary>
    public required string Backend { get; init; }

    /// <summary>When the backup was taken (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Records the store held when the backup started (writers may have added more while it ran).</summary>
    public long RecordCount { get; init; }

    /// <summary>Every file of the backup (the manifest itself aside).</summary>
    public IReadOnlyList<BackupManifestFile> Files { get; init; } = [];

    /// <summary>
    /// Symbolic links (and other reparse points) found in the store and not archived, as paths relative to the
    /// store folder: a backup never follows a link, so it holds nothing from outside the store.
    /// </summary>
    public IReadOnlyList<string> SkippedLinks { get; init; } = [];
}
