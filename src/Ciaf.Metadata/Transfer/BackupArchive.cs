using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Transfer;

/// <summary>
/// Writes and checks backup archives: a .zip of the store's files plus <c>manifest.json</c> (every file's
/// relative path, size and SHA-256). Restoring checks every entry against the manifest, refuses entries that
/// would land outside the target (zip-slip) and only then moves the restored folder into place.
/// </summary>
internal static class BackupArchive
{
    private static readonly JsonSerializerOptions ManifestJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Writes the archive at <paramref name="zipPath"/> (which must not exist) from (relative path, source file) pairs.</summary>
    public static async Task<BackupManifest> WriteAsync(string zipPath, string backend, long recordCount, DateTimeOffset createdAt,
        IEnumerable<(string Relative, string Source)> files, CancellationToken cancellationToken)
    {
        var listed = new List<BackupManifestFile>();
        var stream = new FileStream(zipPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            {
                var buffer = new byte[1 << 16];
                foreach (var (relative, source) in files)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    FileStream input;
                    try
                    {
                        // Share read/write/delete: a writer may rename a new version over the file meanwhile; we keep
                        // reading the whole old version (file backends only ever replace files atomically).
                        input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
                    }
                    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                    {
                        continue; // deleted since it was listed: not part of the snapshot
                    }
                    await using (input.ConfigureAwait(false))
                    {
                        var entry = zip.CreateEntry(relative, CompressionLevel.Optimal);
                        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                        long size = 0;
                        var output = entry.Open();
                        await using (output.ConfigureAwait(false))
                        {
                            int read;
                            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                            {
                                hash.AppendData(buffer, 0, read);
                                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                                size += read;
                            }
                        }
                        listed.Add(new BackupManifestFile(relative, size, Convert.ToHexStringLower(hash.GetHashAndReset())));
                    }
                }
                var manifest = new BackupManifest { Backend = backend, CreatedAt = createdAt, RecordCount = recordCount, Files = listed };
                var manifestEntry = zip.CreateEntry(BackupManifest.EntryName, CompressionLevel.Optimal);
                var manifestStream = manifestEntry.Open();
                await using (manifestStream.ConfigureAwait(false))
                {
                    await JsonSerializer.SerializeAsync(manifestStream, manifest, ManifestJson, cancellationToken).ConfigureAwait(false);
                }
            }
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        return new BackupManifest { Backend = backend, CreatedAt = createdAt, RecordCount = recordCount, Files = listed };
    }

    /// <summary>
    /// Checks the archive against its manifest and extracts it into <paramref name="staging"/> (an empty folder).
    /// Throws, naming every problem, when the archive is not a zip, has no readable manifest, lacks a listed
    /// file, holds a file whose size or SHA-256 differs or an entry the manifest does not list, or an entry
    /// whose path would leave the folder.
    /// </summary>
    public static async Task<BackupManifest> ExtractVerifiedAsync(string zipPath, string staging, CancellationToken cancellationToken)
    {
        if (!File.Exists(zipPath)) throw Refuse(zipPath, "the file does not exist");
        ZipArchive zip;
        var stream = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException ex)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw Refuse(zipPath, $"it is not a valid zip archive ({ex.Message})");
        }
        using (zip)
        {
            var manifest = await ReadManifestAsync(zip, zipPath, cancellationToken).ConfigureAwait(false);
            var problems = new List<string>();
            string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(staging)) + Path.DirectorySeparatorChar;
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName == BackupManifest.EntryName) continue;
                if (!entries.TryAdd(entry.FullName, entry)) problems.Add($"entry '{entry.FullName}' appears twice");
            }
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in manifest.Files)
            {
                if (SafeTarget(root, file.Path) is null) problems.Add($"'{file.Path}' would be written outside the target folder");
                else if (!entries.ContainsKey(file.Path)) problems.Add($"file '{file.Path}' is listed in the manifest but missing from the archive");
                if (!listed.Add(file.Path)) problems.Add($"file '{file.Path}' is listed twice in the manifest");
            }
            foreach (var name in entries.Keys)
            {
                if (!listed.Contains(name)) problems.Add($"entry '{name}' is not listed in the manifest");
            }
            if (problems.Count > 0) throw Refuse(zipPath, string.Join("; ", problems));

            var buffer = new byte[1 << 16];
            foreach (var file in manifest.Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string target = SafeTarget(root, file.Path)!;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long size = 0;
                try
                {
                    var input = entries[file.Path].Open();
                    await using (input.ConfigureAwait(false))
                    {
                        var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                        await using (output.ConfigureAwait(false))
                        {
                            int read;
                            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                            {
                                hash.AppendData(buffer, 0, read);
                                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                                size += read;
                            }
                            output.Flush(flushToDisk: true);
                        }
                    }
                }
                catch (InvalidDataException ex)
                {
                    problems.Add($"file '{file.Path}' is damaged in the archive ({ex.Message})");
                    continue;
                }
                string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (size != file.Size) problems.Add($"file '{file.Path}' is {size} bytes, the manifest says {file.Size}");
                else if (!string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
                    problems.Add($"file '{file.Path}' has SHA-256 {sha}, the manifest says {file.Sha256}");
            }
            if (problems.Count > 0) throw Refuse(zipPath, string.Join("; ", problems));
            return manifest;
        }
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, or <c>null</c> if it would leave it.</summary>
    internal static string? SafeTarget(string root, string relative)
    {
        if (string.IsNullOrEmpty(relative) || relative.Contains('\\', StringComparison.Ordinal) || relative.Contains('\0', StringComparison.Ordinal)
            || Path.IsPathRooted(relative) || relative.Split('/').Any(part => part is "" or "." or ".."))
        {
            return null;
        }
        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(root, relative));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
        return full.StartsWith(root, StringComparison.Ordinal) && full.Length > root.Length ? full : null;
    }

    private static async Task<BackupManifest> ReadManifestAsync(ZipArchive zip, string zipPath, CancellationToken cancellationToken)
    {
        var entry = zip.GetEntry(BackupManifest.EntryName) ?? throw Refuse(zipPath, $"it has no {BackupManifest.EntryName}");
        BackupManifest? manifest;
        try
        {
            var input = entry.Open();
            await using (input.ConfigureAwait(false))
            {
                manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(input, ManifestJson, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or NotSupportedException)
        {
            throw Refuse(zipPath, $"its {BackupManifest.EntryName} cannot be read ({ex.Message})");
        }
        if (manifest is null || manifest.Format != BackupManifest.FormatName || manifest.Files is null)
            throw Refuse(zipPath, $"its {BackupManifest.EntryName} is not a {BackupManifest.FormatName} manifest");
        if (manifest.Version != 1) throw Refuse(zipPath, $"its manifest version {manifest.Version} is not supported (1 is)");
        if (!MetadataBackends.IsRegistered(manifest.Backend))
            throw Refuse(zipPath, $"it was taken from a '{manifest.Backend}' store, a backend not registered here");
        return manifest;
    }

    private static MetadataStorageException Refuse(string zipPath, string why) =>
        new($"Refusing to restore the backup '{zipPath}': {why}.") { Path = zipPath };
}
