namespace Ciaf.Metadata.Transfer;

/// <summary>One file of a backup, as listed in its <c>manifest.json</c>.</summary>
/// <param name="Path">The path relative to the store folder, with <c>/</c> separators.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Sha256">Its SHA-256, lowercase hex.</param>
public sealed record BackupManifestFile(string Path, long Size, string Sha256);
