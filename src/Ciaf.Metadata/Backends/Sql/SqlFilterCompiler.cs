using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.Backends.Sql;

/// <summary>
/// Compiles a checked filter to a SQL condition. Parameters only: every literal and every metadata path travels as a
/// parameter, so no text of the filter ever reaches SQL text; the SQL around them is this class's and its subclasses'
/// constants. Every condition compiles to true or false, never NULL, so <c>NOT</c> keeps the two-valued meaning of
/// <see cref="FilterEvaluator"/> (a comparison with NULL is false, its negation true).
/// </summary>
internal abstract class SqlFilterCompiler(SqlDialect dialect, IReadOnlySet<string>? indexedPaths = null)
{
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);

    /// <summary>The parameters so far, in placeholder order.</summary>
    public List<SqlArg> Args { get; } = [];

    /// <summary>The condition <paramref name="node"/> compiles to.</summary>
    public string Compile(FilterNode node) => node switch
    {
        AndNode and => Balanced(and.Operands, " AND "),
        OrNode or => Balanced(or.Operands, " OR "),
        NotNode not => "NOT " + Compile(not.Operand),
        CompareNode c => c.Field.IsPath ? PathCompare(c.Field, c.Op, c.Value) : ColumnCompare(c.Field, c.Op, c.Value),
        InNode i => i.Field.IsPath ? PathIn(i) : ColumnIn(i),
        LikeNode l => l.Field.IsPath ? PathLike(l) : ColumnLike(l),
        NullNode n => n.Field.IsPath ? PathIsNull(n.Field, n.Negated) : $"{Column(n.Field)} IS {(n.Negated ? "NOT " : "")}NULL",
        ExistsNode e => PathExists(e.Field),
        _ => throw new InvalidOperationException("Unknown filter node " + node.GetType().Name),
    };

    // a OR b OR c ... nests one level per operand in the database's parser (SQLite stops at 1000 levels): halves keep it logarithmic.
    private string Balanced(IReadOnlyList<FilterNode> operands, string op, int start = 0, int count = -1)
    {
        if (count < 0) count = operands.Count;
        if (count == 1) return Compile(operands[start]);
        if (count <= 4) return "(" + string.Join(op, Enumerable.Range(start, count).Select(i => Compile(operands[i]))) + ")";
        int half = count / 2;
        return "(" + Balanced(operands, op, start, half) + op + Balanced(operands, op, start + half, count - half) + ")";
    }

    /// <summary>The placeholder of a new parameter holding <paramref name="value"/>.</summary>
    public string Param(object? value)
    {
        Args.Add(new SqlArg("p" + Args.Count, value));
        return dialect.Placeholder("p" + (Args.Count - 1), Args.Count);
    }

    /// <summary>The placeholder of the parameter holding a path (one per distinct <paramref name="key"/>), made by <paramref name="value"/>.</summary>
    protected string PathParam(string key, Func<object> value)
    {
        if (!_paths.TryGetValue(key, out var placeholder)) _paths[key] = placeholder = Param(value());
        return placeholder;
    }

    /// <summary>
    /// Whether <paramref name="filter"/> must hold a comparison on an indexed path (itself, or one operand of its top
    /// AND): the index can then narrow the search, whatever else the filter says.
    /// </summary>
    public bool NarrowedByIndex(FilterNode filter) => filter switch
    {
        AndNode and => and.Operands.Any(NarrowedByIndex),
        CompareNode c => Indexed(c.Field) && c.Op != CompareOp.NotEqual && c.Value.Kind != LiteralKind.Boolean,
        InNode i => Indexed(i.Field) && !i.Negated && i.Values[0].Kind != LiteralKind.Boolean,
        _ => false,
    };

    /// <summary>Whether a declared index covers <paramref name="field"/> (then its path may appear in SQL text: see <see cref="SearchIndexes"/>).</summary>
    protected bool Indexed(FilterField field) => indexedPaths is not null && indexedPaths.Contains(field.Text);

    /// <summary>The SQL operator of <paramref name="op"/>.</summary>
    protected static string Sql(CompareOp op) => op switch
    {
        CompareOp.Equal => "=",
        CompareOp.NotEqual => "<>",
        CompareOp.Less => "<",
        CompareOp.LessOrEqual => "<=",
        CompareOp.Greater => ">",
        _ => ">=",
    };

    /// <summary>The parameter value of a literal compared with a column (timestamps as the dialect binds them).</summary>
    protected object LiteralValue(FilterLiteral literal) => literal.Kind switch
    {
        LiteralKind.String => literal.String!,
        LiteralKind.Number => literal.Number,
        LiteralKind.Boolean => literal.Boolean,
        _ => dialect.Bound(literal.Instant),
    };

    /// <summary>A column's SQL expression, as a record reads it (no NULL where the record has a default).</summary>
    public virtual string Column(FilterField field) => field.Column switch
    {
        "model_version" => "COALESCE(NULLIF(model_version, ''), '" + RecordJson.DefaultModelVersion + "')",
        "metadata_hash" => "COALESCE(metadata_hash, '')",
        "id" or "model_name" or "stage" or "event_type" or "timestamp" or "details" => field.Column,
        _ => throw new InvalidOperationException("Unknown column " + field.Column),
    };

    /// <summary>Whether a column can be NULL (so its comparisons need a guard).</summary>
    protected static bool Nullable(FilterField field) => field.Column == "details";

    /// <summary>A comparison guarded so that NULL reads as false.</summary>
    protected abstract string False(string condition);

    /// <summary><c>column op literal</c>.</summary>
    protected virtual string ColumnCompare(FilterField field, CompareOp op, FilterLiteral value)
    {
        string condition = $"{Column(field)}{TextCollation(field, op)} {Sql(op)} {Param(LiteralValue(value))}";
        return Nullable(field) ? False(condition) : condition;
    }

    /// <summary>A collation clause that makes text order by code point, where the dialect needs one.</summary>
    protected virtual string TextCollation(FilterField field, CompareOp op) => "";

    private string ColumnIn(InNode node)
    {
        string list = string.Join(", ", node.Values.Select(v => Param(LiteralValue(v))));
        string condition = $"{Column(node.Field)} {(node.Negated ? "NOT IN" : "IN")} ({list})";
        return Nullable(node.Field) ? False(condition) : condition;
    }

    /// <summary><c>column [NOT] LIKE|ILIKE pattern</c>.</summary>
    protected abstract string ColumnLike(LikeNode node);

    /// <summary><c>path op literal</c>: false when the path is missing, null or of another type.</summary>
    protected abstract string PathCompare(FilterField field, CompareOp op, FilterLiteral value);

    /// <summary><c>path [NOT] IN (literals)</c>, the literals of one type.</summary>
    protected virtual string PathIn(InNode node)
    {
        if (!node.Negated) return "(" + string.Join(" OR ", node.Values.Select(v => PathCompare(node.Field, CompareOp.Equal, v))) + ")";
        return "(" + string.Join(" AND ", node.Values.Select(v => PathCompare(node.Field, CompareOp.NotEqual, v))) + ")";
    }

    /// <summary><c>path [NOT] LIKE|ILIKE pattern</c>: false unless the path holds a string.</summary>
    protected abstract string PathLike(LikeNode node);

    /// <summary><c>path IS [NOT] NULL</c>: missing and JSON null are NULL.</summary>
    protected abstract string PathIsNull(FilterField field, bool negated);

    /// <summary><c>EXISTS(path)</c>: present, whatever its value.</summary>
    protected abstract string PathExists(FilterField field);

    /// <summary>The order key of a field: its type rank, number and text expressions (see <see cref="SearchOrder"/>).</summary>
    public abstract (string Rank, string Number, string Text) OrderKey(FilterField field);
}
