namespace Ciaf.Metadata.Search;

/// <summary>
/// The order of search results: one field or metadata path, ascending or descending, ties broken by id (in the same
/// direction). Values of a path sort by type first — missing or null, false, true, numbers, strings, then arrays and
/// objects (among themselves by id) — then by value.
/// </summary>
internal sealed record SearchOrder(FilterField Field, bool Descending)
{
    /// <summary>The default: newest first.</summary>
    public static readonly SearchOrder Default = new(new FilterField("timestamp", FieldType.Timestamp, []), Descending: true);

    /// <summary>Whether this is the timestamp order the tables' indexes serve.</summary>
    public bool ByTimestamp => Field.Type == FieldType.Timestamp;

    /// <summary>The sort key of a value of the field.</summary>
    public static OrderKey KeyOf(FilterValue value, string id) => value.Kind switch
    {
        ValueKind.Instant => new OrderKey(0, 0, "", value.Ticks, id),
        ValueKind.False => new OrderKey(1, 0, "", 0, id),
        ValueKind.True => new OrderKey(2, 0, "", 0, id),
        ValueKind.Number => new OrderKey(3, value.Number, "", 0, id),
        ValueKind.String => new OrderKey(4, 0, value.String!, 0, id),
        ValueKind.Composite => new OrderKey(5, 0, "", 0, id),
        _ => new OrderKey(0, 0, "", 0, id),
    };

    /// <summary>Compares two keys in this order.</summary>
    public int Compare(OrderKey a, OrderKey b)
    {
        int c = a.Rank.CompareTo(b.Rank);
        if (c == 0) c = a.Number.CompareTo(b.Number);
        if (c == 0) c = FilterEvaluator.CompareText(a.Text, b.Text);
        if (c == 0) c = a.Ticks.CompareTo(b.Ticks);
        if (c == 0) c = FilterEvaluator.CompareText(a.Id, b.Id);
        return Descending ? -c : c;
    }
}

/// <summary>
/// A result's place in a <see cref="SearchOrder"/>: the type rank, number, text or instant (ticks) of its value, and its id.
/// </summary>
internal readonly record struct OrderKey(int Rank, double Number, string Text, long Ticks, string Id);
