namespace Ciaf.Metadata.Encryption;

/// <summary>
/// The project's policy for secret key files (the encryption key, the ledger signing key): created owner-only
/// (0600 on Unix), never overwritten by accident, and a warning, not a refusal, when a key read later can be read by
/// other users (refusing would break stores whose keys are shared through group permissions on purpose).
/// </summary>
internal static class KeyFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes <paramref name="content"/> to a new file at <paramref name="path"/>, owner-only, atomically: the bytes go to
    /// a temporary file in the same folder (flushed to disk), which is then linked into place without replacing
    /// anything, so the key is either wholly there or not at all, and a file created meanwhile is never clobbered.
    /// </summary>
    /// <exception cref="IOException">The file exists, or cannot be written.</exception>
    public static void WriteNew(string path, ReadOnlySpan<byte> content)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full)) throw new IOException($"The key file '{full}' already exists; it was left unchanged.");
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            // Without overwrite, .NET moves with link() + unlink() on Unix: it fails if the target appeared meanwhile.
            File.Move(temporary, full, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Whether group or others may read or write the file (always false on Windows, where ACLs apply).</summary>
    public static bool IsReadableByOthers(string path)
    {
        if (OperatingSystem.IsWindows()) return false;
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        return (File.GetUnixFileMode(path) & others) != 0;
    }
}
