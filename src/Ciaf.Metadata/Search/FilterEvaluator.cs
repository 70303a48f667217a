namespace Ciaf.Metadata.Search;

/// <summary>
/// Evaluates a filter in memory: the file backends' search, the pending writes of every backend, and the reference
/// semantics the SQL compilers must match. Two-valued: a missing path is NULL, every comparison with NULL or with a
/// value of another JSON type is false; numbers compare numerically, text by code point, timestamps as instants.
/// </summary>
internal static class FilterEvaluator
{
    /// <summary>Whether <paramref name="node"/> holds, <paramref name="resolve"/> giving each field's value.</summary>
    public static bool Matches(FilterNode node, Func<FilterField, FilterValue> resolve) => node switch
    {
        AndNode and => and.Operands.All(o => Matches(o, resolve)),
        OrNode or => or.Operands.Any(o => Matches(o, resolve)),
        NotNode not => !Matches(not.Operand, resolve),
        CompareNode c => Compare(resolve(c.Field), c.Value) is { } order && Holds(c.Op, order),
        InNode i => resolve(i.Field) is var v && (i.Negated
            ? SameKind(v, i.Values[0]) && i.Values.All(l => Compare(v, l) != 0)
            : i.Values.Any(l => Compare(v, l) == 0)),
        LikeNode l => resolve(l.Field) is { Kind: ValueKind.String } s && l.Compiled.Matches(s.String!) != l.Negated,
        NullNode n => resolve(n.Field).IsNull != n.Negated,
        ExistsNode e => resolve(e.Field).Kind != ValueKind.Missing,
        _ => throw new InvalidOperationException("Unknown filter node " + node.GetType().Name),
    };

    /// <summary>Whether a record matches.</summary>
    public static bool Matches(FilterNode node, MetadataRecord record) => Matches(node, field => Resolve(record, field));

    /// <summary>Whether a compliance event matches.</summary>
    public static bool Matches(FilterNode node, ComplianceEvent ev) => Matches(node, field => Resolve(ev, field));

    /// <summary>A record's value of <paramref name="field"/>.</summary>
    public static FilterValue Resolve(MetadataRecord record, FilterField field) => field.Column switch
    {
        "metadata" => FilterValue.At(record.Metadata, field.Path),
        "id" => FilterValue.Text(record.Id),
        "model_name" => FilterValue.Text(record.ModelName),
        "model_version" => FilterValue.Text(record.ModelVersion),
        "stage" => FilterValue.Text(record.Stage),
        "event_type" => FilterValue.Text(record.EventType),
        "timestamp" => FilterValue.OfInstant(record.Timestamp),
        "details" => FilterValue.Text(record.Details),
        "metadata_hash" => FilterValue.Text(record.MetadataHash),
        _ => throw new InvalidOperationException("Unknown record field " + field.Column),
    };

    /// <summary>A compliance event's value of <paramref name="field"/>.</summary>
    public static FilterValue Resolve(ComplianceEvent ev, FilterField field) => field.Column switch
    {
        "id" => FilterValue.Text(ev.Id),
        "metadata_id" => FilterValue.Text(ev.MetadataId),
        "framework" => FilterValue.Text(ev.Framework),
        "compliance_score" => FilterValue.OfNumber(ev.ComplianceScore),
        "validation_status" => FilterValue.Text(ev.ValidationStatus),
        "timestamp" => FilterValue.OfInstant(ev.Timestamp),
        "details" => FilterValue.Text(ev.Details),
        _ => throw new InvalidOperationException("Unknown compliance event field " + field.Column),
    };

    /// <summary>Orders two strings by code point (what UTF-8 bytes, SQLite's BINARY and PostgreSQL's "C" collation do).</summary>
    public static int CompareText(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x == y) continue;
            // UTF-16 order differs from code point order only where a surrogate meets U+E000..U+FFFF.
            if (char.IsSurrogate(x) != char.IsSurrogate(y)) return char.IsSurrogate(x) ? 1 : -1;
            return x.CompareTo(y);
        }
        return a.Length.CompareTo(b.Length);
    }

    private static bool SameKind(FilterValue v, FilterLiteral l) => l.Kind switch
    {
        LiteralKind.String => v.Kind == ValueKind.String,
        LiteralKind.Number => v.Kind == ValueKind.Number,
        LiteralKind.Boolean => v.Kind is ValueKind.True or ValueKind.False,
        _ => v.Kind == ValueKind.Instant,
    };

    // The order of v against l, or null when they cannot be compared (NULL, another type).
    private static int? Compare(FilterValue v, FilterLiteral l)
    {
        if (!SameKind(v, l)) return null;
        return l.Kind switch
        {
            LiteralKind.String => CompareText(v.String!, l.String!),
            LiteralKind.Number => v.Number.CompareTo(l.Number),
            LiteralKind.Boolean => (v.Kind == ValueKind.True) == l.Boolean ? 0 : 1,
            _ => v.Ticks.CompareTo(l.Instant.UtcTicks),
        };
    }

    private static bool Holds(CompareOp op, int order) => op switch
    {
        CompareOp.Equal => order == 0,
        CompareOp.NotEqual => order != 0,
        CompareOp.Less => order < 0,
        CompareOp.LessOrEqual => order <= 0,
        CompareOp.Greater => order > 0,
        _ => order >= 0,
    };
}
