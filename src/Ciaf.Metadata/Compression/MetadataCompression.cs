using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using SharpCompress.Compressors.Xz;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Ciaf.Metadata.Compression;

/// <summary>
/// The codecs of compressed metadata: zstd (level 1, with a content checksum) for what this library writes, and
/// bounded readers for zstd and for the Python reference's <c>gzip</c>, <c>zlib</c>, <c>lzma</c> (xz) and <c>none</c>.
/// </summary>
/// <remarks>
/// Every read is bounded: output is produced in chunks and the read stops, with an <see cref="InvalidDataException"/>,
/// as soon as it would pass the caller's limit. A payload of a few kilobytes that claims to expand to gigabytes (a
/// decompression bomb) therefore costs at most the limit in memory and is refused, never expanded. Why zstd level 1:
/// see <c>docs/compression.md</c> (the same ratio as gzip's default level on ML metadata, 5 to 10 times faster).
/// </remarks>
internal static class MetadataCompression
{
    /// <summary>The codec this library writes.</summary>
    public const string Zstd = "zstd";

    /// <summary>The zstd level written: on ML metadata, as small as level 3 and about twice as fast (docs/compression.md).</summary>
    public const int ZstdLevel = 1;

    private const int ChunkSize = 64 * 1024;

    // A zstd context is not thread-safe and costs a little to create: one per thread, reused.
    [ThreadStatic]
    private static Compressor? t_compressor;

    /// <summary>
    /// Whether <paramref name="metadata"/>'s compact JSON (<c>json.dumps(metadata)</c>, ASCII, so characters are bytes) is
    /// longer than <paramref name="threshold"/> bytes: the rule that decides which records are compressed, on every backend.
    /// </summary>
    public static bool Exceeds(JsonObject metadata, long threshold) =>
        PythonJson.Serialize(metadata, PythonJsonStyle.Compact).Length > threshold;

    /// <summary>Compresses with zstd (level <see cref="ZstdLevel"/>, content size and checksum in the frame).</summary>
    public static byte[] CompressZstd(ReadOnlySpan<byte> data)
    {
        var compressor = t_compressor;
        if (compressor is null)
        {
            compressor = new Compressor(ZstdLevel);
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            t_compressor = compressor;
        }
        return compressor.Wrap(data).ToArray();
    }

    /// <summary>
    /// Decompresses <paramref name="payload"/> with <paramref name="codec"/>, refusing to produce more than
    /// <paramref name="limit"/> bytes.
    /// </summary>
    /// <param name="payload">The compressed bytes.</param>
    /// <param name="codec"><c>zstd</c>, or one of the reference's: <c>gzip</c>, <c>zlib</c>, <c>lzma</c> (xz container), <c>none</c>.</param>
    /// <param name="limit">The most bytes the payload may expand to.</param>
    /// <param name="limitName">What the limit is, for the message (e.g. <c>max_metadata_bytes</c>).</param>
    /// <exception cref="InvalidDataException">
    /// The payload would expand past <paramref name="limit"/> (refused before it does), is corrupt or truncated, or the
    /// codec is unknown.
    /// </exception>
    public static byte[] Decompress(byte[] payload, string codec, long limit, string limitName)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(codec);
        switch (codec)
        {
            case "none":
                if (payload.Length > limit) throw TooLarge(codec, limit, limitName);
                return (byte[])payload.Clone();
            case Zstd:
                // The frame header may declare the size: refuse a declared excess before reading anything.
                ulong declared;
                try
                {
                    declared = Decompressor.GetDecompressedSize(payload);
                }
                catch (ZstdException ex)
                {
                    throw new InvalidDataException($"The zstd payload is corrupt: {ex.Message}", ex);
                }
                if (declared != 0 && declared != ulong.MaxValue && declared != ulong.MaxValue - 1 && declared > (ulong)limit)
                {
                    throw TooLarge(codec, limit, limitName);
                }
                return ReadBounded(payload, s => new DecompressionStream(s, ChunkSize, checkEndOfStream: true, leaveOpen: false), codec, limit, limitName);
            case "gzip":
                return ReadBounded(payload, s => new GZipStream(s, CompressionMode.Decompress), codec, limit, limitName);
            case "zlib":
                return ReadBounded(payload, s => new ZLibStream(s, CompressionMode.Decompress), codec, limit, limitName);
            case "lzma":
                // Python's lzma.compress writes the .xz container (FORMAT_XZ), the only form the reference writes.
                return ReadBounded(payload, s => new XZStream(s), codec, limit, limitName);
            default:
                throw new InvalidDataException($"Unknown compression '{codec}'; known: zstd, gzip, zlib, lzma, none.");
        }
    }

    private static byte[] ReadBounded(byte[] payload, Func<Stream, Stream> open, string codec, long limit, string limitName)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            using var source = open(new MemoryStream(payload, writable: false));
            using var output = new MemoryStream();
            int read;
            while ((read = source.Read(chunk, 0, ChunkSize)) > 0)
            {
                if (output.Length + read > limit) throw TooLarge(codec, limit, limitName);
                output.Write(chunk, 0, read);
            }
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or ZstdException or FormatException or ArgumentException
                                       or InvalidOperationException or IndexOutOfRangeException or NotSupportedException
                                       or SharpCompress.Common.ArchiveException)
        {
            throw new InvalidDataException($"The {codec} payload is corrupt or truncated: {ex.Message}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static InvalidDataException TooLarge(string codec, long limit, string limitName) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"The {codec} payload expands past {limit} bytes, the store's limit ({limitName}); refused without expanding it (a decompression bomb, or an entry written under a larger limit)."));
}
