using Ciaf.Server.Problems;

namespace Ciaf.Server.Api;

/// <summary>Reads <c>order_by</c>: a field or metadata path, then optionally <c>asc</c> or <c>desc</c> (default <c>timestamp desc</c>).</summary>
internal static class SearchOrderText
{
    public static (string Field, bool Descending) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return ("timestamp", true);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 1) return (words[0], true);
        if (words.Length == 2)
        {
            switch (words[1].ToLowerInvariant())
            {
                case "asc": return (words[0], false);
                case "desc": return (words[0], true);
            }
        }
        throw RequestProblemException.BadRequest("order_by", $"'order_by' is a field then asc or desc (e.g. 'metadata.performance.accuracy asc'), not '{text}'.");
    }
}
