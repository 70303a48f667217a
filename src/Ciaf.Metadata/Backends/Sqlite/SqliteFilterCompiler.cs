using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.Backends.Sqlite;

/// <summary>
/// Compiles a filter for SQLite: metadata paths through <c>json_extract</c>, guarded by <c>json_type</c> so a value of
/// another type compares false (never an error); text compares BINARY (code point order); case-sensitive
/// <c>LIKE</c> becomes <c>GLOB</c> (SQLite's <c>LIKE</c> ignores ASCII case), <c>ILIKE</c> SQLite's <c>LIKE</c>.
/// Paths are parameters too (<c>$."a"."b"</c>).
/// </summary>
internal sealed class SqliteFilterCompiler(SqlDialect dialect, IReadOnlySet<string>? indexedPaths = null) : SqlFilterCompiler(dialect, indexedPaths)
{
    private const string Metadata = "metadata_json";

    protected override string False(string condition) => $"COALESCE({condition}, 0)";

    private string Path(FilterField field) => PathParam(field.JsonPath, () => field.JsonPath);

    // An indexed path is written as the index's constant, so the index covers the guard too (see IndexColumns).
    private string Type(FilterField field) => Indexed(field) ? $"json_type({Metadata}, '{field.JsonPath}')" : $"json_type({Metadata}, {Path(field)})";

    private string Value(FilterField field) => Indexed(field) ? IndexExpression(field) : $"json_extract({Metadata}, {Path(field)})";

    private static string TypeTest(LiteralKind kind) => kind switch
    {
        LiteralKind.Number => "IN ('integer', 'real')",
        _ => "= 'text'",
    };

    protected override string PathCompare(FilterField field, CompareOp op, FilterLiteral value)
    {
        if (value.Kind == LiteralKind.Boolean)
        {
            bool wanted = value.Boolean == (op == CompareOp.Equal);
            return False($"{Type(field)} = '{(wanted ? "true" : "false")}'");
        }
        string param = Param(LiteralValue(value));
        string guarded = False($"{Type(field)} {TypeTest(value.Kind)} AND {Value(field)} {Sql(op)} {param}");
        // The guarded condition implies the bare one, which the declared expression index can answer.
        return Indexed(field) ? $"({IndexExpression(field)} {Sql(op)} {param} AND {guarded})" : guarded;
    }

    /// <summary>The expression a declared index is built on (its path a checked constant, see <see cref="SearchIndexes"/>).</summary>
    public static string IndexExpression(FilterField field) => $"json_extract({Metadata}, '{field.JsonPath}')";

    /// <summary>
    /// The columns of a declared index: the value, its JSON type (the guard), then the order: a comparison on the path
    /// is answered from the index alone, and only the rows of the page are read.
    /// </summary>
    public static string IndexColumns(FilterField field) => $"{IndexExpression(field)}, json_type({Metadata}, '{field.JsonPath}'), timestamp, id";

    protected override string PathIn(InNode node)
    {
        if (node.Values[0].Kind == LiteralKind.Boolean) return base.PathIn(node);
        string list = string.Join(", ", node.Values.Select(v => Param(LiteralValue(v))));
        string guarded = False($"{Type(node.Field)} {TypeTest(node.Values[0].Kind)} AND {Value(node.Field)} {(node.Negated ? "NOT IN" : "IN")} ({list})");
        return Indexed(node.Field) && !node.Negated ? $"({IndexExpression(node.Field)} IN ({list}) AND {guarded})" : guarded;
    }

    protected override string PathLike(LikeNode node) =>
        False($"{Type(node.Field)} = 'text' AND {(node.Negated ? "NOT " : "")}({Match(Value(node.Field), node)})");

    protected override string ColumnLike(LikeNode node) => False($"{(node.Negated ? "NOT " : "")}({Match(Column(node.Field), node)})");

    private string Match(string expression, LikeNode node) => node.IgnoreCase
        ? $"{expression} LIKE {Param(node.Pattern)} ESCAPE '\\'"
        : $"{expression} GLOB {Param(node.Compiled.ToGlob())}";

    protected override string PathIsNull(FilterField field, bool negated) => $"COALESCE({Type(field)}, 'null') {(negated ? "<>" : "=")} 'null'";

    protected override string PathExists(FilterField field) => $"{Type(field)} IS NOT NULL";

    public override (string Rank, string Number, string Text) OrderKey(FilterField field)
    {
        if (!field.IsPath)
        {
            string column = Column(field);
            // Not the literal 0: an integer constant in ORDER BY names a result column.
            return ($"CASE WHEN {column} IS NULL THEN 0 ELSE 4 END", "CAST(0 AS INTEGER)", $"COALESCE({column}, '')");
        }
        string type = Type(field), value = Value(field);
        return (
            $"CASE {type} WHEN 'false' THEN 1 WHEN 'true' THEN 2 WHEN 'integer' THEN 3 WHEN 'real' THEN 3 WHEN 'text' THEN 4 WHEN 'array' THEN 5 WHEN 'object' THEN 5 ELSE 0 END",
            $"CASE WHEN {type} IN ('integer', 'real') THEN {value} ELSE 0 END",
            $"CASE WHEN {type} = 'text' THEN {value} ELSE '' END");
    }
}
