namespace Ciaf.Metadata.Backends.Files;

/// <summary>
/// Reads a file of a store (record, compliance event, state, audit day, external payload) only when it is a
/// plain file of a sane size, deciding that before it is opened: opening a FIFO blocks until a writer comes, and a
/// device or sparse file would be read into memory whole.
/// </summary>
/// <remarks>
/// .NET reports no file type on Unix (a FIFO, socket or device shows as <see cref="FileAttributes.Normal"/>), but
/// <see cref="FileInfo"/> describes the entry itself (lstat): a symbolic link has a <see cref="FileSystemInfo.LinkTarget"/>,
/// and FIFOs, sockets and devices have a length of 0. So links are never followed and 0-byte entries are never opened
/// (an empty file holds nothing anyway). The read itself stops at the limit, so a file swapped or grown
/// after the check still cannot drive memory past it.
/// </remarks>
internal static class StoreFileReader
{
    /// <summary>Reads the whole file, at most <paramref name="maxBytes"/> bytes, after the checks above.</summary>
    /// <remarks>
    /// A record file is a few KiB: reading it on the calling thread costs less than handing it to the thread pool
    /// (which is all an asynchronous file read does on Unix), so only files past <see cref="InlineReadBytes"/> move
    /// off the caller's thread.
    /// </remarks>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest file read.</param>
    /// <param name="share">What others may do with the file meanwhile.</param>
    /// <param name="emptyIsNothing">Whether a 0-byte entry reads as no bytes (never opened) rather than as an error.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FileNotFoundException">The entry is gone.</exception>
    /// <exception cref="IOException">The entry is refused (the message says why and names it) or could not be read.</exception>
    public static Task<byte[]> ReadAsync(string path, long maxBytes, FileShare share, bool emptyIsNothing, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long length = CheckBeforeOpening(path, maxBytes, emptyIsNothing);
        if (length <= InlineReadBytes)
        {
            try
            {
                return Task.FromResult(ReadChecked(path, length, maxBytes, share));
            }
            catch (Exception ex)
            {
                return Task.FromException<byte[]>(ex);
            }
        }
        return Task.Run(() => ReadChecked(path, length, maxBytes, share), cancellationToken);
    }

    /// <summary>The synchronous <see cref="ReadAsync"/>.</summary>
    /// <exception cref="FileNotFoundException">The entry is gone.</exception>
    /// <exception cref="IOException">The entry is refused (the message says why and names it) or could not be read.</exception>
    public static byte[] Read(string path, long maxBytes, FileShare share, bool emptyIsNothing) =>
        ReadChecked(path, CheckBeforeOpening(path, maxBytes, emptyIsNothing), maxBytes, share);

    private const int InlineReadBytes = 256 * 1024;

    /// <summary>Throws unless the entry may be opened; returns its length (0 only for an allowed empty one, which is not opened).</summary>
    private static long CheckBeforeOpening(string path, long maxBytes, bool emptyIsNothing)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"'{path}' no longer exists", path);
        // The lstat behind FileInfo marks a link as a reparse point; only then is the link itself read, for the message.
        if ((info.Attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is { } target)
        {
            throw new IOException($"'{path}' is a symbolic link (to '{target}'); store files are never read through links");
        }
        long length = info.Length;
        if (length == 0 && !emptyIsNothing)
        {
            throw new IOException($"'{path}' is empty or not a regular file (a FIFO, socket or device); it was not opened");
        }
        if (length > maxBytes) throw new IOException($"'{path}' is {length} bytes, past the limit of {maxBytes} bytes for this file; it was not read");
        return length;
    }

    /// <summary>Reads the file checked to be <paramref name="length"/> bytes, to its end, never past <paramref name="maxBytes"/>.</summary>
    private static byte[] ReadChecked(string path, long length, long maxBytes, FileShare share)
    {
        if (length == 0) return [];
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, share);
        var bytes = new byte[length];
        int total = 0;
        while (total < bytes.Length)
        {
            int read = RandomAccess.Read(handle, bytes.AsSpan(total), total);
            if (read == 0) return bytes[..total]; // shrank meanwhile: what is there is what it holds
            total += read;
        }
        // Grown since the check (a store file is replaced by rename, never written in place, so this is rare).
        Span<byte> probe = stackalloc byte[1];
        return RandomAccess.Read(handle, probe, total) == 0 ? bytes : ReadGrown(handle, bytes, maxBytes, path);
    }

    private static byte[] ReadGrown(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] start, long maxBytes, string path)
    {
        using var buffer = new MemoryStream();
        buffer.Write(start);
        byte[] chunk = new byte[64 * 1024];
        int read;
        while ((read = RandomAccess.Read(handle, chunk, buffer.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw new IOException($"'{path}' grew past the limit of {maxBytes} bytes while it was read");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
