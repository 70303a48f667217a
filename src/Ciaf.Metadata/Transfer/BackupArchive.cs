using System.IO.Compression;
using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text.Json;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Transfer;

/// <summary>
/// Writes and checks backup archives: a .zip of the store's files plus <c>manifest.json</c> (every file's
/// relative path, size and SHA-256). Restoring checks the whole manifest and every entry name first, refuses
/// entries that would land outside the target (zip-slip), and extracts each entry only up to the size its
/// manifest declares, stopping at the first entry that differs.
/// </summary>
internal static class BackupArchive
{
    /// <summary>The folder of a store where <see cref="MetadataStorage.Backup"/> writes archives by default.</summary>
    public const string BackupsFolderName = StoreFolders.Backups;

    /// <summary>
    /// Top-level folders of a store that are not its data: never archived, refused inside a backup, and kept
    /// by a restore that overwrites the store (so restoring from <c>&lt;store&gt;/backups/</c> keeps every backup).
    /// Compared without case, as the file backends compare their reserved names.
    /// </summary>
    public static readonly IReadOnlyList<string> NonDataFolders = [BackupsFolderName, StoreFolders.Exports];

    /// <summary>The largest <c>manifest.json</c> read (about 200,000 files' worth): a bigger one is refused unread.</summary>
    public const long MaxManifestBytes = 64L << 20;

    private static readonly JsonSerializerOptions ManifestJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>
    /// Every file of a file-backend store under <paramref name="root"/>, in ordinal order: not the non-data
    /// folders, nor what the backend says is not its data (<paramref name="isStoreFile"/>: temporary, probe and lock files). Symbolic links (and other reparse points) are
    /// never followed, to files or folders: they are returned in <c>Links</c> instead, so nothing outside the
    /// store is ever archived.
    /// </summary>
    public static (List<(string Relative, string Source)> Files, List<string> Links) StoreFiles(string root, Func<string, bool> isStoreFile)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 };
        var entries = new FileSystemEnumerable<(string Path, bool IsLink)>(root,
            (ref FileSystemEntry entry) => (entry.ToFullPath(), IsLink(ref entry)), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory || IsLink(ref entry),
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !IsLink(ref entry)
                && !(entry.Directory.Length == root.Length && IsNonDataFolder(entry.FileName.ToString())),
        };
        var files = new List<(string, string)>();
        var links = new List<string>();
        foreach (var (path, isLink) in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (!isStoreFile(relative)) continue;
            if (isLink) links.Add(relative);
            else files.Add((relative, path));
        }
        return (files, links);

        // On Unix a symbolic link carries ReparsePoint too; IsDirectory is true for a link to a folder.
        static bool IsLink(ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;
    }

    /// <summary>Whether <paramref name="name"/> is one of the <see cref="NonDataFolders"/>.</summary>
    public static bool IsNonDataFolder(string name) =>
        NonDataFolders.Any(folder => string.Equals(folder, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Writes the archive at <paramref name="zipPath"/> (which must not exist) from (relative path, source file)
    /// pairs; <paramref name="skippedLinks"/> are listed in the manifest as <see cref="BackupManifest.SkippedLinks"/>.
    /// </summary>
    public static async Task<BackupManifest> WriteAsync(string zipPath, string backend, long recordCount, DateTimeOffset createdAt,
        IEnumerable<(string Relative, string Source)> files, IReadOnlyList<string> skippedLinks, CancellationToken cancellationToken)
    {
        var listed = new List<BackupManifestFile>();
        BackupManifest manifest;
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
                manifest = new BackupManifest
                {
                    Backend = backend, CreatedAt = createdAt, RecordCount = recordCount, Files = listed, SkippedLinks = skippedLinks,
                };
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
        return manifest;
    }

    /// <summary>
    /// Checks the archive against its manifest and extracts it into <paramref name="staging"/> (an empty folder).
    /// Throws, naming every problem found before extracting, when the archive is not a zip, has no readable or
    /// valid manifest, holds an entry name twice, lacks a listed file, holds an entry the manifest does not list,
    /// an entry whose path would leave the folder, or more bytes than the disk has free. While extracting, an
    /// entry is cut off as soon as it yields more bytes than its manifest size (a decompression bomb never fills
    /// the disk), and the first entry that is damaged or whose size or SHA-256 differs stops the extraction.
    /// What was extracted stays in <paramref name="staging"/>; the caller deletes it.
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
            var problems = new List<string>();
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                // Two entries of one name: which one a reader takes is arbitrary, so neither is trusted.
                if (!entries.TryAdd(entry.FullName, entry)) problems.Add($"entry '{entry.FullName}' appears twice");
            }
            if (problems.Count > 0) throw Refuse(zipPath, string.Join("; ", problems.Distinct()));
            if (!entries.Remove(BackupManifest.EntryName, out var manifestEntry)) throw Refuse(zipPath, $"it has no {BackupManifest.EntryName}");
            var manifest = await ReadManifestAsync(manifestEntry, zipPath, cancellationToken).ConfigureAwait(false);

            string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(staging)) + Path.DirectorySeparatorChar;
            problems.AddRange(Validate(manifest, root));
            var listed = manifest.Files.Select(f => f?.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var file in manifest.Files)
            {
                if (file?.Path is { Length: > 0 } path && !entries.ContainsKey(path))
                    problems.Add($"file '{path}' is listed in the manifest but missing from the archive");
            }
            foreach (var name in entries.Keys)
            {
                if (!listed.Contains(name)) problems.Add($"entry '{name}' is not listed in the manifest");
            }
            if (problems.Count > 0) throw Refuse(zipPath, string.Join("; ", problems));

            // Every entry is cut off at its manifest size, so the manifest's total is the most the extraction can
            // write: refuse up front when the disk cannot hold it, rather than filling it.
            long total = manifest.Files.Aggregate(0L, (sum, f) => sum > long.MaxValue - f.Size ? long.MaxValue : sum + f.Size);
            if (FreeSpace(root) is { } free && total > free)
                throw Refuse(zipPath, $"its files need {total} bytes and the disk of '{staging}' has {free} free");

            var buffer = new byte[1 << 16];
            foreach (var file in manifest.Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string target = SafeTarget(root, file.Path)!;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                try
                {
                    var input = entries[file.Path].Open();
                    await using (input.ConfigureAwait(false))
                    {
                        var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                        await using (output.ConfigureAwait(false))
                        {
                            long size = await CopyBoundedAsync(input, output, file.Size, hash, buffer, cancellationToken).ConfigureAwait(false);
                            if (size < 0) throw Refuse(zipPath, $"file '{file.Path}' holds more than the {file.Size} bytes the manifest says");
                            if (size != file.Size) throw Refuse(zipPath, $"file '{file.Path}' is {size} bytes, the manifest says {file.Size}");
                            output.Flush(flushToDisk: true);
                        }
                    }
                }
                catch (InvalidDataException ex)
                {
                    throw Refuse(zipPath, $"file '{file.Path}' is damaged in the archive ({ex.Message})");
                }
                catch (IOException ex) when (ex is not FileNotFoundException)
                {
                    // e.g. two paths that differ only in case, on a file system that ignores case; or a full disk.
                    throw Refuse(zipPath, $"file '{file.Path}' could not be written to '{target}' ({ex.Message})");
                }
                string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
                    throw Refuse(zipPath, $"file '{file.Path}' has SHA-256 {sha}, the manifest says {file.Sha256}");
            }
            return manifest;
        }
    }

    /// <summary>The free bytes of the disk holding <paramref name="folder"/>, or <c>null</c> where that cannot be asked (e.g. a UNC path on Windows).</summary>
    private static long? FreeSpace(string folder)
    {
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Copies at most <paramref name="limit"/> bytes, hashing them when asked. Returns the count, or -1 as soon as
    /// the input holds more than the limit (before writing the chunk that crosses it).
    /// </summary>
    private static async Task<long> CopyBoundedAsync(Stream input, Stream output, long limit, IncrementalHash? hash, byte[] buffer,
        CancellationToken cancellationToken)
    {
        long size = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (read > limit - size) return -1;
            hash?.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            size += read;
        }
        return size;
    }

    /// <summary>Every problem of the manifest's fields, each naming the field (an empty list when it is valid).</summary>
    private static List<string> Validate(BackupManifest manifest, string root)
    {
        var problems = new List<string>();
        if (manifest.RecordCount < 0) problems.Add($"its record_count is negative ({manifest.RecordCount})");
        if (manifest.SkippedLinks is null || manifest.SkippedLinks.Any(link => link is null)) problems.Add("its skipped_links holds a null");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < manifest.Files.Count; i++)
        {
            if (manifest.Files[i] is not { } file)
            {
                problems.Add($"files[{i}] is null");
                continue;
            }
            if (string.IsNullOrEmpty(file.Path))
            {
                problems.Add($"files[{i}] has no path");
                continue;
            }
            if (SafeTarget(root, file.Path) is null) problems.Add($"'{file.Path}' would be written outside the target folder");
            else if (IsNonDataFolder(file.Path.Split('/')[0]) && file.Path.Contains('/', StringComparison.Ordinal))
                problems.Add($"'{file.Path}' lies in a folder a backup never holds ({string.Join(", ", NonDataFolders)})");
            if (!seen.Add(file.Path)) problems.Add($"file '{file.Path}' is listed twice in the manifest");
            if (file.Size < 0) problems.Add($"file '{file.Path}' has a negative size ({file.Size})");
            if (file.Sha256 is not { Length: 64 } sha || !sha.All(char.IsAsciiHexDigit))
                problems.Add($"file '{file.Path}' has no valid SHA-256 (64 hex digits) but '{file.Sha256}'");
        }
        return problems;
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

    private static async Task<BackupManifest> ReadManifestAsync(ZipArchiveEntry entry, string zipPath, CancellationToken cancellationToken)
    {
        BackupManifest? manifest;
        try
        {
            using var json = new MemoryStream();
            var input = entry.Open();
            await using (input.ConfigureAwait(false))
            {
                if (await CopyBoundedAsync(input, json, MaxManifestBytes, hash: null, new byte[1 << 16], cancellationToken).ConfigureAwait(false) < 0)
                    throw Refuse(zipPath, $"its {BackupManifest.EntryName} is larger than {MaxManifestBytes} bytes");
            }
            json.Position = 0;
            manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(json, ManifestJson, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or NotSupportedException)
        {
            throw Refuse(zipPath, $"its {BackupManifest.EntryName} cannot be read ({ex.Message})");
        }
        if (manifest is null || manifest.Format != BackupManifest.FormatName || manifest.Files is null)
            throw Refuse(zipPath, $"its {BackupManifest.EntryName} is not a {BackupManifest.FormatName} manifest");
        if (manifest.Version != 1) throw Refuse(zipPath, $"its manifest version {manifest.Version} is not supported (1 is)");
        if (string.IsNullOrEmpty(manifest.Backend) || !MetadataBackends.IsRegistered(manifest.Backend))
            throw Refuse(zipPath, $"it was taken from a '{manifest.Backend}' store, a backend not registered here");
        return manifest;
    }

    internal static MetadataStorageException Refuse(string zipPath, string why) =>
        new($"Refusing to restore the backup '{zipPath}': {why}.") { Path = zipPath };
}
