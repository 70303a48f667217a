using System.Text;
using System.Text.Json;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Metadata.Backends.Files;

/// <summary>
/// A file store's log, <c>&lt;root&gt;/ledger/leaves.jsonl</c> (one leaf text per line, line <c>n</c> is leaf <c>n</c>),
/// held in memory as a <see cref="MerkleLog"/> of its leaf hashes (recomputed from the texts, never stored) plus each
/// line's offset and every item's latest leaf. Loaded on first use and extended by reading only what was appended
/// since (by this process or another): leaves below a size never change. A file that shrank (cut or replaced by hand)
/// is loaded again from the start. A last line without its '\n' is being written (or was cut by a crash) and is not a
/// leaf yet. Thread-safe; appends are the backend's, under its store lock.
/// </summary>
internal sealed class FileLedgerLog(string path) : ILedgerReader
{
    private const int ChunkBytes = 1 << 20;

    private readonly Lock _sync = new();
    private MerkleLog _log = new();
    private List<long> _offsets = [];
    private Dictionary<string, long> _latest = new(StringComparer.Ordinal);
    private long _length;

    /// <summary>The leaves file.</summary>
    public string Path { get; } = path;

    /// <summary>Reads what was appended since the last call; returns the log's size.</summary>
    public long Refresh()
    {
        lock (_sync)
        {
            using var stream = Open(FileMode.Open, FileAccess.Read);
            if (stream is null)
            {
                if (_length != 0) Reset();
                return 0;
            }
            if (stream.Length < _length) Reset();
            if (stream.Length == _length) return _log.Size;
            stream.Seek(_length, SeekOrigin.Begin);
            var buffer = new byte[Math.Clamp(stream.Length - _length, 4096, ChunkBytes)]; // a batch's tail is small
            int filled = 0;
            while (true)
            {
                if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // one line longer than the buffer
                int read = stream.Read(buffer, filled, buffer.Length - filled);
                if (read == 0) break;
                filled += read;
                int start = 0;
                for (int end; (end = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0; start = end + 1)
                {
                    Add(buffer.AsSpan(start, end - start));
                    _length += end - start + 1;
                }
                Array.Copy(buffer, start, buffer, 0, filled - start);
                filled -= start;
            }
            return _log.Size;
        }
    }

    /// <summary>The ids of every item the log has a leaf about.</summary>
    public HashSet<string> KnownIds()
    {
        lock (_sync) return [.. _latest.Keys];
    }

    /// <summary>Appends whole lines and flushes them to disk. Only under the store lock, after <see cref="TrimPartialLine"/>.</summary>
    public void Append(IReadOnlyList<string> texts)
    {
        if (texts.Count == 0) return;
        var builder = new StringBuilder();
        foreach (var text in texts) builder.Append(text).Append('\n');
        using (var stream = Open(FileMode.Append, FileAccess.Write) ?? throw new FileNotFoundException("The ledger folder is gone.", Path))
        {
            stream.Write(Encoding.ASCII.GetBytes(builder.ToString()));
            stream.Flush(flushToDisk: true);
        }
        Refresh();
    }

    /// <summary>
    /// Cuts a last line left without its '\n' by a writer that crashed mid-append (its leaves are still in its intent,
    /// which is resolved next). Only under the store lock, where no writer can be mid-append.
    /// </summary>
    public void TrimPartialLine()
    {
        using var stream = Open(FileMode.Open, FileAccess.ReadWrite);
        if (stream is null || stream.Length == 0) return;
        long end = stream.Length;
        var one = new byte[1];
        while (end > 0)
        {
            stream.Seek(end - 1, SeekOrigin.Begin);
            stream.ReadExactly(one);
            if (one[0] == '\n') break;
            end--;
        }
        if (end != stream.Length) stream.SetLength(end);
    }

    /// <inheritdoc />
    public IReadOnlyList<byte[]> LeafHashes(long start, long end)
    {
        lock (_sync)
        {
            var hashes = new List<byte[]>((int)Math.Max(0, Math.Min(end, _log.Size) - start));
            for (long i = start; i < end && i < _log.Size; i++) hashes.Add(_log.LeafHash(i));
            return hashes;
        }
    }

    /// <inheritdoc />
    public byte[]? StoredNode(MerkleNode node)
    {
        lock (_sync) return _log.Nodes.GetValueOrDefault(node);
    }

    /// <inheritdoc />
    public IEnumerable<LedgerLeafRow> Leaves(long from, long to)
    {
        var (offset, last) = Span(from, to);
        if (from >= last) yield break;
        using var stream = Open(FileMode.Open, FileAccess.Read) ?? throw new LedgerCorruptException($"the ledger's leaves file '{Path}' is gone");
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        for (long seq = from; seq < last; seq++)
        {
            string text = reader.ReadLine() ?? throw new LedgerCorruptException($"the ledger's leaves file '{Path}' ends before leaf {seq}");
            yield return Row(seq, text);
        }
    }

    /// <inheritdoc />
    public LedgerLeafRow? LatestLeaf(string itemId, long size)
    {
        long seq;
        lock (_sync)
        {
            if (!_latest.TryGetValue(itemId, out seq)) return null;
        }
        // The latest leaf was appended after `size` (a read racing an append, rare): the one before it, by a scan.
        return seq < size ? Leaves(seq, seq + 1).First() : Leaves(0, size).LastOrDefault(row => row.ItemId == itemId);
    }

    // Where leaf `from` starts and the end of the range actually held.
    private (long Offset, long Last) Span(long from, long to)
    {
        lock (_sync)
        {
            long last = Math.Min(to, _log.Size);
            return (from < last ? _offsets[(int)from] : 0, last);
        }
    }

    private LedgerLeafRow Row(long seq, string text)
    {
        var (kind, id) = KindAndId(Encoding.ASCII.GetBytes(text));
        byte[] hash;
        lock (_sync) hash = _log.LeafHash(seq);
        return new LedgerLeafRow(seq, kind, id, text, hash);
    }

    private void Add(ReadOnlySpan<byte> line)
    {
        long seq = _log.AppendHash(MerkleTree.LeafHash(line));
        _offsets.Add(_length);
        _latest[KindAndId(line).Id] = seq;
    }

    // A line that is not a leaf (edited by hand) keeps its place in the tree; verify reports it.
    private static (string Kind, string Id) KindAndId(ReadOnlySpan<byte> line)
    {
        string kind = "", id = "";
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return (kind, id);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isKind = reader.ValueTextEquals("kind"u8), isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isKind && reader.TokenType == JsonTokenType.String) kind = reader.GetString()!;
                else if (isId && reader.TokenType == JsonTokenType.String) id = reader.GetString()!;
                else reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return (kind, id);
    }

    private void Reset()
    {
        _log = new MerkleLog();
        _offsets = [];
        _latest = new Dictionary<string, long>(StringComparer.Ordinal);
        _length = 0;
    }

    private FileStream? Open(FileMode mode, FileAccess access)
    {
        try
        {
            return new FileStream(Path, mode, access, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
