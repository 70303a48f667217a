using Ciaf.Server.Problems;

namespace Ciaf.Server.Api;

/// <summary>
/// What a record id in a URL may be: 1-128 ASCII letters, digits, '-' and '_' (the library's UUIDs, the reference's
/// UUIDs). Anything else — '/', '\', '.', '%', control characters — is refused with 400 before the store sees it.
/// </summary>
internal static class RecordIds
{
    public const int MaxLength = 128;

    public static string Check(string? id, string field = "id")
    {
        if (string.IsNullOrEmpty(id)) throw RequestProblemException.BadRequest(field, $"'{field}' is required.");
        if (id.Length > MaxLength) throw RequestProblemException.BadRequest(field, $"'{field}' has {id.Length} characters; a record id has at most {MaxLength}.");
        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw RequestProblemException.BadRequest(field, $"'{field}' may hold only ASCII letters, digits, '-' and '_' (a record id).");
        }
        return id;
    }
}
