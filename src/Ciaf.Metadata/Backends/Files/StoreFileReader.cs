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
/// (an empty file holds nothing anyway). The read itself stops one byte past the limit, so a file swapped or grown
/// after the check still cannot drive memory past it.
/// </remarks>
internal static class StoreFileReader
{
    /// <summary>Reads the whole file, at most <paramref name="maxBytes"/> bytes, after the checks above.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest file read.</param>
    /// <param name="share">What others may do with the file meanwhile.</param>
    /// <param name="emptyIsNothing">Whether a 0-byte entry reads as no bytes (never opened) rather than as an error.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FileNotFoundException">The entry is gone.</exception>
    /// <exception cref="IOException">The entry is refused (the message says why and names it) or could not be read.</exception>
    public static async Task<byte[]> ReadAsync(string path, long maxBytes, FileShare share, bool emptyIsNothing, CancellationToken cancellationToken)
    {
        if (!CheckBeforeOpening(path, maxBytes, emptyIsNothing)) return [];
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, share, bufferSize: 0, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = NewBuffer(stream, maxBytes);
            byte[] chunk = new byte[ChunkBytes];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Append(buffer, chunk, read, maxBytes, path);
            }
            return buffer.ToArray();
        }
    }

    /// <summary>The synchronous <see cref="ReadAsync"/>.</summary>
    /// <exception cref="FileNotFoundException">The entry is gone.</exception>
    /// <exception cref="IOException">The entry is refused (the message says why and names it) or could not be read.</exception>
    public static byte[] Read(string path, long maxBytes, FileShare share, bool emptyIsNothing)
    {
        if (!CheckBeforeOpening(path, maxBytes, emptyIsNothing)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, share, bufferSize: 0);
        using var buffer = NewBuffer(stream, maxBytes);
        byte[] chunk = new byte[ChunkBytes];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            Append(buffer, chunk, read, maxBytes, path);
        }
        return buffer.ToArray();
    }

    private const int ChunkBytes = 81920;

    /// <summary>Throws unless the entry may be opened; <c>false</c> for an allowed empty one (not to be opened either).</summary>
    private static bool CheckBeforeOpening(string path, long maxBytes, bool emptyIsNothing)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"'{path}' no longer exists", path);
        if (info.LinkTarget is { } target)
        {
            throw new IOException($"'{path}' is a symbolic link (to '{target}'); store files are never read through links");
        }
        long length = info.Length;
        if (length == 0)
        {
            return emptyIsNothing
                ? false
                : throw new IOException($"'{path}' is empty or not a regular file (a FIFO, socket or device); it was not opened");
        }
        if (length > maxBytes) throw new IOException($"'{path}' is {length} bytes, past the limit of {maxBytes} bytes for this file; it was not read");
        return true;
    }

    private static MemoryStream NewBuffer(FileStream stream, long maxBytes) => new((int)Math.Min(stream.Length, Math.Min(maxBytes, int.MaxValue)));

    private static void Append(MemoryStream buffer, byte[] chunk, int read, long maxBytes, string path)
    {
        if (buffer.Length + read > maxBytes) throw new IOException($"'{path}' grew past the limit of {maxBytes} bytes while it was read");
        buffer.Write(chunk, 0, read);
    }
}
