using System.Text;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// Appends each event to a file as one line of JSON (JSON lines, UTF-8), creating the file and its folder. Each event is
/// one append, so a reader (or another process appending) never sees half a line.
/// </summary>
public sealed class OpenLineageFileTransport : IOpenLineageTransport
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>A transport appending to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public OpenLineageFileTransport(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public string Description => "file " + Path;

    /// <inheritdoc/>
    public async ValueTask SendAsync(string runEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        byte[] line = Encoding.UTF8.GetBytes(runEvent + "\n");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
