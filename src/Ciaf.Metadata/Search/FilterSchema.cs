namespace Ciaf.Metadata.Search;

/// <summary>The fields a filter may name: the columns of records (plus metadata paths), or of compliance events.</summary>
internal sealed class FilterSchema
{
    /// <summary>Metadata records: their columns and <c>metadata.…</c> paths.</summary>
    public static readonly FilterSchema Records = new("records", allowsPaths: true, new Dictionary<string, FieldType>(StringComparer.Ordinal)
    {
        ["id"] = FieldType.Text,
        ["model_name"] = FieldType.Text,
        ["model_version"] = FieldType.Text,
        ["stage"] = FieldType.Text,
        ["event_type"] = FieldType.Text,
        ["timestamp"] = FieldType.Timestamp,
        ["details"] = FieldType.Text,
        ["metadata_hash"] = FieldType.Text,
    });

    /// <summary>Compliance events: their columns.</summary>
    public static readonly FilterSchema ComplianceEvents = new("compliance events", allowsPaths: false, new Dictionary<string, FieldType>(StringComparer.Ordinal)
    {
        ["id"] = FieldType.Text,
        ["metadata_id"] = FieldType.Text,
        ["framework"] = FieldType.Text,
        ["compliance_score"] = FieldType.Number,
        ["validation_status"] = FieldType.Text,
        ["timestamp"] = FieldType.Timestamp,
        ["details"] = FieldType.Text,
    });

    private FilterSchema(string what, bool allowsPaths, Dictionary<string, FieldType> columns)
    {
        What = what;
        AllowsPaths = allowsPaths;
        Columns = columns;
    }

    /// <summary>What the fields describe, for errors.</summary>
    public string What { get; }

    /// <summary>Whether <c>metadata.…</c> paths are fields.</summary>
    public bool AllowsPaths { get; }

    /// <summary>The columns by name.</summary>
    public IReadOnlyDictionary<string, FieldType> Columns { get; }

    /// <summary>The names a filter may use, for errors.</summary>
    public string Known => string.Join(", ", Columns.Keys) + (AllowsPaths ? ", metadata.<path>" : "");
}
