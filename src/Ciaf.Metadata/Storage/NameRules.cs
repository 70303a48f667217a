using System.Text;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The rules for model, stage and event names. They become folder and file names on the file
/// backends, so a name must never escape the store folder (the reference's path traversal bug).
/// </summary>
/// <remarks>
/// New names are stored in Unicode normalization form C (<see cref="Normalize"/>), so "mé" typed composed or
/// decomposed is one model, and lookups by name (<see cref="ForLookup"/>) use that form too. Names already in a store
/// are read exactly as stored. Bidirectional controls are refused: they make one name display as another.
/// </remarks>
public static class NameRules
{
    /// <summary>The longest name allowed, in characters.</summary>
    public const int MaxLength = 255;

    /// <summary>Folder names the store uses itself; no model may take them.</summary>
    public static IReadOnlyList<string> ReservedNames => Reserved;

    private static readonly string[] Reserved = ["exports", "compliance_events", "audit", "backups", StoreFolders.Ledger];

    /// <summary>Throws unless <paramref name="value"/> is a valid name.</summary>
    /// <exception cref="ArgumentException">The name breaks a rule; the message names the parameter and the rule.</exception>
    public static void Validate(string? value, string paramName)
    {
        if (Check(value) is { } problem)
        {
            throw new ArgumentException($"Invalid {paramName} '{Printable(value)}': {problem}.", paramName);
        }
    }

    /// <summary>
    /// <paramref name="value"/> in normalization form C, once it is a valid name: what a new record stores.
    /// </summary>
    /// <exception cref="ArgumentException">The name breaks a rule; the message names the parameter and the rule.</exception>
    public static string Normalize(string? value, string paramName)
    {
        string? normalized = ForLookup(value);
        Validate(normalized, paramName);
        return normalized!;
    }

    /// <summary>
    /// The form a name is looked up by (model queries, legal holds): normalization form C; a string that is not valid
    /// UTF-16 (a lone surrogate) cannot be normalized and is returned unchanged, as is <c>null</c>. Does not validate.
    /// </summary>
    public static string? ForLookup(string? value)
    {
        if (value is null) return null;
        try
        {
            return value.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return value; // not valid UTF-16 (a lone surrogate): nothing to normalize
        }
    }

    /// <summary>Why <paramref name="value"/> is not a valid name, or <c>null</c> when it is.</summary>
    public static string? Check(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "it must not be empty or whitespace";
        if (value.Length > MaxLength) return $"it is {value.Length} characters long; at most {MaxLength} are allowed";
        // The usual name (letters, digits, '_', '-', and single dots inside): only the reserved names are left to check.
        if (!value.AsSpan().ContainsAnyExcept(PlainNameChars) && value[0] != '.' && !value.Contains("..", StringComparison.Ordinal))
        {
            return ReservedProblem(value);
        }
        if (value.Contains('/') || value.Contains('\\')) return "it must not contain '/' or '\\'";
        if (value.Contains("..", StringComparison.Ordinal)) return "it must not contain '..'";
        if (value == ".") return "it must not be '.'";
        foreach (char c in value)
        {
            if (char.IsControl(c)) return $"it must not contain control characters (found U+{(int)c:X4})";
            if (IsBidiControl(c)) return $"it must not contain bidirectional control characters (found U+{(int)c:X4})";
        }
        if (value.Trim() != value) return "it must not start or end with whitespace";
        return ReservedProblem(value);
    }

    private static readonly System.Buffers.SearchValues<char> PlainNameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");

    private static string? ReservedProblem(string value)
    {
        foreach (var reserved in Reserved) // the array, not the interface: no enumerator per name checked
        {
            if (string.Equals(value, reserved, StringComparison.OrdinalIgnoreCase)) return $"'{reserved}' is reserved for the store's own folder";
        }
        return null;
    }

    /// <summary>The characters that reorder text on display (LRE..RLO, LRI..PDI, LRM, RLM, ALM).</summary>
    private static bool IsBidiControl(char c) =>
        c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';

    private static string Printable(string? value)
    {
        if (value is null) return "null";
        var shown = new string([.. value.Take(60).Select(c => char.IsControl(c) || IsBidiControl(c) ? '?' : c)]);
        return value.Length > 60 ? shown + "..." : shown;
    }
}
