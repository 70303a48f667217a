namespace Ciaf.Metadata.Transfer;

/// <summary>
/// Restores a backup archive into a store folder: extracts and verifies everything into a staging folder beside
/// the target, and only then swaps it in. Overwriting replaces the store's data but keeps its
/// <see cref="BackupArchive.NonDataFolders"/> (<c>backups/</c>, <c>exports/</c>); nothing of the old store is
/// deleted before the restored copy is complete, verified and in place.
/// </summary>
internal static class BackupRestore
{
    /// <inheritdoc cref="MetadataStorage.RestoreAsync"/>
    public static async ValueTask<BackupManifest> RestoreAsync(string backupPath, string targetPath, bool overwrite, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetPath);
        string backup = Path.GetFullPath(backupPath);
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetPath));
        // A link (to a folder, a file, or nothing) would be replaced by a folder, not restored through: refuse it.
        if (new FileInfo(target).LinkTarget is { } link)
        {
            throw new MetadataStorageException(
                $"Refusing to restore into '{target}': it is a symbolic link (to '{link}'). Restore into the folder it points to, or choose another.")
            { Path = target };
        }
        if (File.Exists(target)) throw new MetadataStorageException($"Cannot restore into '{target}': it is a file.") { Path = target };
        bool occupied = Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any();
        if (occupied && !overwrite)
        {
            throw new MetadataStorageException(
                $"Refusing to restore into '{target}': the folder is not empty. Choose an empty folder, or pass overwrite: true to replace its content.")
            { Path = target };
        }
        if (occupied && InStoreData(target, backup))
        {
            throw new MetadataStorageException(
                $"Refusing to restore '{backup}' over '{target}': the archive lies inside that store's data and would be replaced with it. " +
                $"Move it out first (or into its {BackupArchive.BackupsFolderName}/ folder, which a restore keeps).")
            { Path = target };
        }
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException("The target cannot be a root folder.", nameof(targetPath));
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.restore-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var manifest = await BackupArchive.ExtractVerifiedAsync(backup, staging, cancellationToken).ConfigureAwait(false);
            if (Directory.Exists(target)) Replace(target, staging, backup);
            else Directory.Move(staging, target);
            return manifest;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Whether <paramref name="file"/> lies in <paramref name="folder"/> outside its non-data folders (by path, links resolved for the file).</summary>
    private static bool InStoreData(string folder, string file)
    {
        string real = File.Exists(file) ? File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName ?? file : file;
        return new[] { file, real }.Any(path =>
        {
            string[] parts = Path.GetRelativePath(folder, path).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            if (parts[0] is "." or ".." || Path.IsPathRooted(parts[0])) return false;
            return !(parts.Length > 1 && BackupArchive.IsNonDataFolder(parts[0]));
        });
    }

    /// <summary>
    /// Swaps the verified <paramref name="staging"/> folder in for <paramref name="target"/>, moving the target's
    /// non-data folders across, and deletes the old data last. Any failure puts the old store back as it was.
    /// </summary>
    private static void Replace(string target, string staging, string backup)
    {
        bool archiveExisted = File.Exists(backup);
        string old = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.replaced-{Guid.NewGuid():N}");
        // Only the names the library writes are kept; the manifest check refused any of them in the backup, so none is in staging.
        var kept = BackupArchive.NonDataFolders.Where(name => Directory.Exists(Path.Combine(target, name))).ToList();
        Directory.Move(target, old);
        try
        {
            Directory.Move(staging, target);
            foreach (var name in kept) Directory.Move(Path.Combine(old, name), Path.Combine(target, name));
            // The path check before extracting does not see through linked parent folders: if the archive left with
            // the old data after all, undo rather than delete it.
            if (archiveExisted && !File.Exists(backup))
            {
                throw new MetadataStorageException(
                    $"Refusing to restore '{backup}' over '{target}': the archive lies inside that store's data and would be deleted with it. Move it out first.")
                { Path = target };
            }
        }
        catch
        {
            foreach (var name in kept)
            {
                if (Directory.Exists(Path.Combine(target, name)) && !Directory.Exists(Path.Combine(old, name)))
                    Directory.Move(Path.Combine(target, name), Path.Combine(old, name));
            }
            if (Directory.Exists(target)) Directory.Move(target, staging);
            Directory.Move(old, target);
            throw;
        }
        Directory.Delete(old, recursive: true);
    }
}
