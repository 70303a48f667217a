namespace Ciaf.Metadata.Search;

/// <summary>A checked filter: every field known, every literal of a type its field can hold.</summary>
internal abstract record FilterNode;

/// <summary>Every operand holds.</summary>
internal sealed record AndNode(IReadOnlyList<FilterNode> Operands) : FilterNode;

/// <summary>Some operand holds.</summary>
internal sealed record OrNode(IReadOnlyList<FilterNode> Operands) : FilterNode;

/// <summary>The operand does not hold (two-valued: a comparison with NULL is false, so its negation is true).</summary>
internal sealed record NotNode(FilterNode Operand) : FilterNode;

/// <summary><c>field op literal</c>.</summary>
internal sealed record CompareNode(FilterField Field, CompareOp Op, FilterLiteral Value) : FilterNode;

/// <summary><c>field [NOT] IN (literals)</c>; the literals are of one type.</summary>
internal sealed record InNode(FilterField Field, IReadOnlyList<FilterLiteral> Values, bool Negated) : FilterNode;

/// <summary><c>field [NOT] LIKE|ILIKE pattern</c>; <c>%</c> and <c>_</c> are wildcards, <c>\</c> escapes.</summary>
internal sealed record LikeNode(FilterField Field, string Pattern, bool Negated, bool IgnoreCase) : FilterNode
{
    /// <summary>The pattern, parsed once.</summary>
    public LikePattern Compiled { get; } = LikePattern.Parse(Pattern, IgnoreCase);
}

/// <summary><c>field IS [NOT] NULL</c>: a missing path and a JSON null are both NULL.</summary>
internal sealed record NullNode(FilterField Field, bool Negated) : FilterNode;

/// <summary><c>EXISTS(path)</c>: the path is present, whatever its value (a JSON null included).</summary>
internal sealed record ExistsNode(FilterField Field) : FilterNode;

/// <summary>A comparison operator.</summary>
internal enum CompareOp { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary>What a field holds.</summary>
internal enum FieldType
{
    /// <summary>A text column (possibly NULL).</summary>
    Text,
    /// <summary>The timestamp column: compared as instants.</summary>
    Timestamp,
    /// <summary>A number column (possibly NULL).</summary>
    Number,
    /// <summary>A metadata path: any JSON value, or missing.</summary>
    Json,
}

/// <summary>One step of a metadata path: an object key, or an array index.</summary>
internal readonly record struct PathSegment(string? Key, int Index)
{
    public bool IsIndex => Key is null;
}

/// <summary>A column (<see cref="Path"/> empty) or a metadata path (<see cref="Column"/> is <c>metadata</c>).</summary>
internal sealed record FilterField(string Column, FieldType Type, IReadOnlyList<PathSegment> Path)
{
    public bool IsPath => Path.Count > 0;

    /// <summary>Whether every segment is an object key (PostgreSQL containment applies).</summary>
    public bool KeysOnly => Path.All(s => !s.IsIndex);

    /// <summary>The field as the language writes it, quoting segments that are not plain identifiers.</summary>
    public string Text => IsPath ? Column + string.Concat(Path.Select(s => s.IsIndex ? $"[{s.Index}]" : "." + FilterLexer.QuoteSegment(s.Key!))) : Column;

    /// <summary>
    /// The SQLite JSON path (<c>$."a"[0]</c>): every key double-quoted, so no key reads as path syntax. SQLite's paths
    /// have no escapes, which is why the parser refuses keys holding a double quote or a backslash.
    /// </summary>
    public string JsonPath => "$" + string.Concat(Path.Select(s => s.IsIndex ? $"[{s.Index}]" : ".\"" + s.Key + "\""));

    public bool Equals(FilterField? other) => other is not null && Column == other.Column && Type == other.Type && Path.SequenceEqual(other.Path);

    public override int GetHashCode() => HashCode.Combine(Column, Type, Path.Count);
}

/// <summary>A literal of the filter, typed for its field.</summary>
internal sealed record FilterLiteral(LiteralKind Kind, string? String = null, double Number = 0, bool Boolean = false, DateTimeOffset Instant = default)
{
    public static FilterLiteral Of(string value) => new(LiteralKind.String, String: value);
    public static FilterLiteral Of(double value) => new(LiteralKind.Number, Number: value);
    public static FilterLiteral Of(bool value) => new(LiteralKind.Boolean, Boolean: value);
    public static FilterLiteral Of(DateTimeOffset value) => new(LiteralKind.Instant, Instant: value);
}

/// <summary>The type of a literal.</summary>
internal enum LiteralKind { String, Number, Boolean, Instant }
