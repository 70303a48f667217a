using System.Globalization;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Export;

/// <summary>
/// Writes an export through a temporary file, then moves it into place: to the path asked for (replacing it), or
/// into the store's exports folder under a name no earlier export has, even one written in the same second by
/// another process. A failed or cancelled export leaves nothing behind.
/// </summary>
internal static class ExportFile
{
    /// <summary>Writes with <paramref name="write"/> and returns the path of the file written.</summary>
    /// <param name="storeRoot">The store folder (its <see cref="StoreFolders.Exports"/> folder is the default place).</param>
    /// <param name="stem">The file name's start, e.g. <c>compliance_events</c>.</param>
    /// <param name="extension">The format, as the file's extension.</param>
    /// <param name="outputPath">Where to write, or <c>null</c> for a new file in the exports folder.</param>
    /// <param name="clock">Dates the default file name.</param>
    /// <param name="write">Writes the content to the stream.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    public static async ValueTask<string> WriteAsync(string storeRoot, string stem, string extension, string? outputPath, TimeProvider clock,
        Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        string folder = outputPath is null ? Path.Combine(storeRoot, StoreFolders.Exports) : Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        string target = outputPath is null ? Path.Combine(folder, Name(stem, extension, clock, 0)) : Path.GetFullPath(outputPath);
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $"{StoreFolders.TempFilePrefix}{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            if (outputPath is not null)
            {
                File.Move(temp, target, overwrite: true);
                return target;
            }
            for (int n = 1; ; n++)
            {
                try
                {
                    File.Move(temp, target, overwrite: false);
                    return target;
                }
                catch (IOException) when (File.Exists(target))
                {
                    target = Path.Combine(folder, Name(stem, extension, clock, n));
                }
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary><c>&lt;stem&gt;_&lt;yyyyMMdd_HHmmss&gt;[_n].&lt;extension&gt;</c>.</summary>
    public static string Name(string stem, string extension, TimeProvider clock, int n)
    {
        string stamp = clock.GetUtcNow().ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
        return n == 0 ? $"{stem}_{stamp}.{extension}" : $"{stem}_{stamp}_{n}.{extension}";
    }
}
