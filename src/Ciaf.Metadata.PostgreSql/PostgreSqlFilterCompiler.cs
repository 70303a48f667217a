using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.PostgreSql;

/// <summary>
/// Compiles a filter for PostgreSQL's <c>jsonb</c> column. Equality on a path of object keys becomes containment
/// (<c>metadata @&gt; $n::jsonb</c>) and <c>EXISTS</c> a strict JSON path test (<c>metadata @? $n::jsonpath</c>), both
/// answered by the GIN index (<c>jsonb_path_ops</c>). Other comparisons extract the value (<c>#&gt;</c>, or a strict
/// <c>jsonb_path_query_first</c> when the path has an index or a key that reads as one) and compare it inside a
/// <c>CASE</c> on <c>jsonb_typeof</c>, so a value of another type is false and never a cast error. Text compares under
/// the "C" collation (code point order), as SQLite and the in-memory evaluator do. Parameters only.
/// </summary>
internal sealed class PostgreSqlFilterCompiler(SqlDialect dialect, IReadOnlySet<string>? indexedPaths = null) : SqlFilterCompiler(dialect, indexedPaths)
{
    private const string Metadata = "metadata";

    protected override string False(string condition) => $"COALESCE({condition}, false)";

    protected override string TextCollation(FilterField field, CompareOp op) =>
        op is CompareOp.Equal or CompareOp.NotEqual || field.Type != FieldType.Text ? "" : " COLLATE \"C\"";

    // A key of digits would index an array under #>; such paths (and paths with indexes) go through a strict JSON path.
    private static bool PlainKeys(FilterField field) => field.Path.All(s => !s.IsIndex && !s.Key!.All(c => char.IsAsciiDigit(c) || c == '-'));

    /// <summary>The strict SQL/JSON path of a field: <c>strict $."a"[0]</c> (keys hold no quote or backslash: the parser refuses them).</summary>
    public static string StrictPath(FilterField field) => "strict " + field.JsonPath;

    private string Value(FilterField field) => PlainKeys(field)
        ? $"({Metadata} #> {PathParam("#>" + field.JsonPath, () => field.Path.Select(s => s.Key!).ToArray())}::text[])"
        : $"jsonb_path_query_first({Metadata}, {PathParam("jp" + field.JsonPath, () => StrictPath(field))}::jsonpath, '{{}}', true)";

    private string Text(FilterField field) => $"({Value(field)} #>> '{{}}') COLLATE \"C\"";

    private string Typed(FilterField field, string jsonType, string condition) =>
        False($"CASE WHEN jsonb_typeof({Value(field)}) = '{jsonType}' THEN {condition} END");

    protected override string PathCompare(FilterField field, CompareOp op, FilterLiteral value)
    {
        if (op == CompareOp.Equal && field.KeysOnly) return $"{Metadata} @> {Param(Containment(field, value))}::jsonb";
        string guarded = value.Kind switch
        {
            LiteralKind.Boolean => False($"{Value(field)} = '{(value.Boolean == (op == CompareOp.Equal) ? "true" : "false")}'::jsonb"),
            LiteralKind.Number => Typed(field, "number", $"({Value(field)})::float8 {Sql(op)} {Param(value.Number)}"),
            _ => Typed(field, "string", $"{Text(field)} {Sql(op)} {Param(value.String)}"),
        };
        // jsonb order keeps numbers among numbers and strings among strings: the bare comparison, which the declared
        // btree index answers, holds whenever the guarded one does (it may hold for other types too; the guard decides).
        if (!Indexed(field) || value.Kind == LiteralKind.Boolean || op == CompareOp.NotEqual) return guarded;
        return $"({IndexExpression(field)} {Sql(op)} {Param(Json(value))}::jsonb AND {guarded})";
    }

    /// <summary>The expression a declared index is built on (its keys checked identifiers, see <see cref="SearchIndexes"/>).</summary>
    public static string IndexExpression(FilterField field) => $"(metadata #> '{{{string.Join(",", field.Path.Select(s => s.Key))}}}'::text[])";

    // {"a": {"b": value}}: what a record holding value at a.b contains.
    private static string Containment(FilterField field, FilterLiteral value)
    {
        JsonNode node = Literal(value);
        for (int i = field.Path.Count - 1; i >= 0; i--) node = new JsonObject { [field.Path[i].Key!] = node };
        return node.ToJsonString();
    }

    private static string Json(FilterLiteral value) => Literal(value).ToJsonString();

    private static JsonNode Literal(FilterLiteral value) => value.Kind switch
    {
        LiteralKind.Boolean => JsonValue.Create(value.Boolean),
        LiteralKind.Number => JsonNode.Parse(value.Number.ToString("R", CultureInfo.InvariantCulture))!,
        _ => JsonValue.Create(value.String!),
    };

    protected override string PathLike(LikeNode node) =>
        Typed(node.Field, "string", $"{(node.Negated ? "NOT " : "")}({Text(node.Field)} {(node.IgnoreCase ? "ILIKE" : "LIKE")} {Param(node.Pattern)})");

    protected override string ColumnLike(LikeNode node) =>
        False($"{(node.Negated ? "NOT " : "")}({Column(node.Field)} COLLATE \"C\" {(node.IgnoreCase ? "ILIKE" : "LIKE")} {Param(node.Pattern)})");

    protected override string PathIsNull(FilterField field, bool negated) => $"COALESCE(jsonb_typeof({Value(field)}), 'null') {(negated ? "<>" : "=")} 'null'";

    protected override string PathExists(FilterField field) => False($"{Metadata} @? {Param(StrictPath(field))}::jsonpath");

    public override (string Rank, string Number, string Text) OrderKey(FilterField field)
    {
        if (!field.IsPath)
        {
            string column = Column(field);
            return ($"CASE WHEN {column} IS NULL THEN 0 ELSE 4 END", "0::float8", $"COALESCE({column}, '') COLLATE \"C\"");
        }
        string value = Value(field);
        return (
            $"CASE jsonb_typeof({value}) WHEN 'boolean' THEN CASE WHEN {value} = 'true'::jsonb THEN 2 ELSE 1 END WHEN 'number' THEN 3 WHEN 'string' THEN 4 WHEN 'array' THEN 5 WHEN 'object' THEN 5 ELSE 0 END",
            $"CASE WHEN jsonb_typeof({value}) = 'number' THEN ({value})::float8 ELSE 0 END",
            $"(CASE WHEN jsonb_typeof({value}) = 'string' THEN {value} #>> '{{}}' ELSE '' END) COLLATE \"C\"");
    }
}
