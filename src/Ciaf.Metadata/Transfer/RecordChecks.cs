using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Transfer;

/// <summary>The checks a record coming from outside (an import file, another store) passes before it is written.</summary>
internal static class RecordChecks
{
    /// <summary>The longest id an import accepts (a store's own ids are 36-character UUIDs).</summary>
    public const int MaxImportedIdLength = 128;

    /// <summary>
    /// Why an imported record cannot be written (its id, then its names), or null. Checked per entry, so one bad
    /// entry is listed instead of failing its whole batch in the backend.
    /// </summary>
    public static string? RecordProblem(MetadataRecord record) => IdProblem(record.Id) ?? NameProblem(record);

    public static string? NameProblem(MetadataRecord record)
    {
        if (NameRules.Check(record.ModelName) is { } model) return $"invalid model_name '{record.ModelName}': {model}";
        if (NameRules.Check(record.Stage) is { } stage) return $"invalid stage '{record.Stage}': {stage}";
        if (NameRules.Check(record.EventType) is { } eventType) return $"invalid event_type '{record.EventType}': {eventType}";
        return null;
    }

    /// <summary>
    /// Why <paramref name="id"/> is not an id an import accepts, or null. Ids are made by the store (UUIDs, 36
    /// characters); imported ones must be non-empty, without control characters or surrounding whitespace, and at
    /// most <see cref="MaxImportedIdLength"/> characters, so a file backend's name for the record stays within
    /// file-system limits.
    /// </summary>
    public static string? IdProblem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return "the id is empty";
        if (id.Length > MaxImportedIdLength) return $"the id is {id.Length} characters long; at most {MaxImportedIdLength} are allowed";
        if (id.Any(char.IsControl)) return "the id holds control characters";
        if (id.Trim().Length != id.Length) return "the id starts or ends with whitespace";
        return null;
    }

    public static string PlaintextRefusal(IReadOnlyCollection<string> fields) =>
        $"the sensitive field(s) {string.Join(", ", fields)} are in plaintext and the store encrypts them; the record's metadata_hash "
        + "covers the plaintext, so it cannot be encrypted without changing its hash: allow plaintext sensitive data "
        + "(ciaf import --allow-plaintext) to store it as it is";

    /// <summary>Every field equal, metadata compared in its stored key order.</summary>
    public static bool SameRecord(MetadataRecord a, MetadataRecord b) =>
        string.Equals(a.Id, b.Id, StringComparison.Ordinal)
        && string.Equals(a.ModelName, b.ModelName, StringComparison.Ordinal)
        && string.Equals(a.ModelVersion, b.ModelVersion, StringComparison.Ordinal)
        && string.Equals(a.Stage, b.Stage, StringComparison.Ordinal)
        && string.Equals(a.EventType, b.EventType, StringComparison.Ordinal)
        && a.Timestamp.UtcTicks == b.Timestamp.UtcTicks
        && string.Equals(a.MetadataHash, b.MetadataHash, StringComparison.Ordinal)
        && string.Equals(a.Details, b.Details, StringComparison.Ordinal)
        && string.Equals(PythonJson.Serialize(a.Metadata, PythonJsonStyle.Compact), PythonJson.Serialize(b.Metadata, PythonJsonStyle.Compact), StringComparison.Ordinal);
}
