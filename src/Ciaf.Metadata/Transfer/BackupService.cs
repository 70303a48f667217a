using Ciaf.Metadata.Export;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Transfer;

/// <summary>Writes backup archives of a store while writers keep writing; see <c>MetadataStorage.Backup</c>. Restoring is <see cref="BackupRestore"/>.</summary>
internal sealed class BackupService(StoreCore core)
{
    private readonly StoreCore _core = core;

    public async ValueTask<string> BackupAsync(string? path, CancellationToken cancellationToken)
    {
        _core.ThrowIfDisposed();
        var layout = _core.Backend as IStoreLayout;
        if (_core.Backend is not ISnapshotCapableBackend && layout is not { IsFileStore: true })
            throw new NotSupportedException($"The {_core.Backend.Name} backend keeps no files this library can archive; back it up with the database's own tools.");
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        long count = await _core.Backend.CountAsync(cancellationToken).ConfigureAwait(false);
        var now = _core.Options.TimeProvider.GetUtcNow();
        string folder = path is null ? Path.Combine(_core.Backend.StoragePath, BackupArchive.BackupsFolderName) : Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        if (path is not null && File.Exists(path)) throw new IOException($"The backup file '{Path.GetFullPath(path)}' already exists.");
        string temp = Path.Combine(folder, $"{StoreFolders.TempFilePrefix}{Guid.NewGuid():N}.tmp");
        string? snapshotFolder = null;
        IDisposable? held = null;
        try
        {
            IEnumerable<(string, string)> files;
            List<string> links = [];
            if (_core.Backend is ISnapshotCapableBackend snapshots)
            {
                snapshotFolder = Path.Combine(Path.GetTempPath(), "ciaf-snapshot-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(snapshotFolder);
                var relative = await snapshots.SnapshotAsync(snapshotFolder, cancellationToken).ConfigureAwait(false);
                files = [.. relative.Select(r => (r.Replace('\\', '/'), Path.Combine(snapshotFolder, r)))];
            }
            else
            {
                // Writers wait while the files are listed and copied when one write spans several files (a record and its ledger leaf).
                if (_core.Backend is IWriteLockBackend writeLock) held = await writeLock.HoldWritesAsync(cancellationToken).ConfigureAwait(false);
                (files, links) = BackupArchive.StoreFiles(_core.Backend.StoragePath, layout!.IsStoreFile);
                foreach (var link in links)
                    _core.Logger.LogWarning("Backup of {Store}: {Link} is a symbolic link; links are not followed, so it is not archived", _core.Backend.StoragePath, link);
            }
            await BackupArchive.WriteAsync(temp, _core.Backend.Name, count, now, files, links, cancellationToken).ConfigureAwait(false);
            if (path is not null)
            {
                string target = Path.GetFullPath(path);
                File.Move(temp, target, overwrite: false);
                return target;
            }
            for (int n = 0; ; n++)
            {
                string target = Path.Combine(folder, ExportFile.Name($"{_core.Backend.Name}_backup", "zip", _core.Options.TimeProvider, n));
                try
                {
                    File.Move(temp, target, overwrite: false);
                    return target;
                }
                catch (IOException) when (File.Exists(target))
                {
                    // taken in the same second: try the next name
                }
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        finally
        {
            held?.Dispose();
            if (snapshotFolder is not null)
            {
                try
                {
                    Directory.Delete(snapshotFolder, recursive: true);
                }
                catch (IOException ex)
                {
                    _core.Logger.LogWarning(ex, "Could not delete the temporary snapshot folder {Folder}", snapshotFolder);
                }
            }
        }
    }
}
