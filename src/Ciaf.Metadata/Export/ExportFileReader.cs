using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Export;

/// <summary>
/// Streams the objects of a JSON export, one at a time: a JSON array (our <c>json</c> export and the
/// reference's) or JSON lines (our <c>jsonl</c> export), told apart by the first non-blank character.
/// </summary>
/// <remarks>
/// Exports follow Python's <c>json</c> module, which writes <c>NaN</c> and <c>Infinity</c> as bare words;
/// System.Text.Json's streaming readers reject them. So the array is cut into its elements here (tracking
/// only nesting and strings) and each element is parsed by <see cref="PythonJson.Parse(string)"/>.
/// </remarks>
internal static class ExportFileReader
{
    /// <summary>One element of the export: the object, or why it could not be read.</summary>
    internal readonly record struct Item(string Position, JsonObject? Object, string? Error);

    public static async IAsyncEnumerable<Item> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
            int first = PeekNonBlank(reader);
            if (first == '[')
            {
                await foreach (var item in ReadArrayAsync(reader, cancellationToken).ConfigureAwait(false)) yield return item;
            }
            else
            {
                await foreach (var item in ReadLinesAsync(reader, cancellationToken).ConfigureAwait(false)) yield return item;
            }
        }
    }

    private static async IAsyncEnumerable<Item> ReadLinesAsync(StreamReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long line = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            yield return Parse(text, $"line {line}");
        }
    }

    private static async IAsyncEnumerable<Item> ReadArrayAsync(StreamReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new char[1 << 14];
        var element = new StringBuilder();
        int depth = 0; // 1 = inside the top-level array
        bool inString = false, escaped = false, ended = false;
        long index = 0;
        int read;
        while (!ended && (read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            for (int i = 0; i < read && !ended; i++)
            {
                char c = buffer[i];
                if (inString)
                {
                    element.Append(c);
                    if (escaped) escaped = false;
                    else if (c == '\\') escaped = true;
                    else if (c == '"') inString = false;
                    continue;
                }
                switch (c)
                {
                    case '"':
                        inString = true;
                        element.Append(c);
                        break;
                    case '[' or '{':
                        if (depth++ > 0) element.Append(c);
                        break;
                    case ']' or '}':
                        if (--depth > 0)
                        {
                            element.Append(c);
                        }
                        else
                        {
                            ended = true;
                            if (element.Length > 0 && !IsBlank(element)) yield return Parse(element.ToString(), $"element {index++}");
                            element.Clear();
                        }
                        break;
                    case ',' when depth == 1:
                        yield return Parse(element.ToString(), $"element {index++}");
                        element.Clear();
                        break;
                    default:
                        if (depth > 1 || !char.IsWhiteSpace(c)) element.Append(c);
                        break;
                }
            }
        }
        if (!ended) yield return new Item($"element {index}", null, "the JSON array is not closed (the file is truncated)");
    }

    private static Item Parse(string text, string position)
    {
        try
        {
            return PythonJson.Parse(text) is JsonObject obj
                ? new Item(position, obj, null)
                : new Item(position, null, "not a JSON object");
        }
        catch (JsonException ex)
        {
            return new Item(position, null, "not valid JSON: " + ex.Message);
        }
    }

    private static bool IsBlank(StringBuilder sb)
    {
        foreach (var chunk in sb.GetChunks())
        {
            foreach (char c in chunk.Span) if (!char.IsWhiteSpace(c)) return false;
        }
        return true;
    }

    private static int PeekNonBlank(StreamReader reader)
    {
        // A FileStream can seek, so Peek fills the buffer as needed and -1 means the end of the file.
        while (reader.Peek() is int c && c >= 0)
        {
            if (!char.IsWhiteSpace((char)c)) return c;
            reader.Read();
        }
        return -1;
    }
}
