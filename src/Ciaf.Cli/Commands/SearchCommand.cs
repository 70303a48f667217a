using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Search;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf search FILTER</c>: records matching a filter over their fields and metadata (docs/search.md), one page at a
/// time; also the <c>--filter</c> option of <c>list</c>, <c>events</c> and <c>export</c>.
/// </summary>
internal static class SearchCommand
{
    public static Command Create(CliApp app)
    {
        var filter = new Argument<string>("filter") { Description = "The filter, e.g. \"model_name = 'credit_scoring' AND metadata.performance.accuracy < 0.9\" (see docs/search.md)." };
        var orderBy = new Option<string[]>("--order-by")
        {
            Description = "Order by a field or metadata path, then asc or desc (default: timestamp desc; ties by id).",
            Arity = new ArgumentArity(1, 2),
            AllowMultipleArgumentsPerToken = true,
            HelpName = "field [asc|desc]",
        };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many records on the page (0 for all).", DefaultValueFactory = _ => SearchOptions.DefaultLimit };
        limit.AtLeast(0, "--limit must be 0 (all) or more.");
        var cursor = new Option<string?>("--cursor") { Description = "Continue after the page that printed this cursor." };
        var count = new Option<bool>("--count") { Description = "Print only how many records match." };
        var command = new Command("search", "Find records by a filter over their fields and metadata.") { filter, orderBy, limit, cursor, count };
        app.Bind(command, async (context, parse) =>
        {
            string text = parse.GetRequiredValue(filter);
            var (field, descending) = Order(parse.GetValue(orderBy));
            var options = new SearchOptions { OrderBy = field, Descending = descending, Limit = parse.GetValue(limit), Cursor = parse.GetValue(cursor) };
            await using var storage = context.Stores.Open(context);
            return await Run(context, async () =>
            {
                if (parse.GetValue(count))
                {
                    long n = await storage.CountAsync(text, options, context.CancellationToken).ConfigureAwait(false);
                    if (context.Json) context.WriteJson(new JsonObject { ["count"] = n });
                    else context.WriteLine(n.ToString(CultureInfo.InvariantCulture));
                    return ExitCodes.Success;
                }
                var page = await storage.SearchAsync(text, options, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    context.WriteJson(new JsonObject { ["records"] = Render.Records(page.Records), ["next_cursor"] = page.NextCursor });
                    return ExitCodes.Success;
                }
                if (page.Records.Count == 0)
                {
                    context.Note("No records match.");
                    return ExitCodes.Success;
                }
                context.Out.Write(Render.RecordTable(page.Records));
                context.Note($"{page.Records.Count} record(s)");
                if (page.NextCursor is { } next) context.Note($"More match: add --cursor {next}");
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The <c>--filter</c> option of list, events and export.</summary>
    public static Option<string?> FilterOption(string what) => new("--filter")
    {
        Description = $"Only {what} matching this filter (see docs/search.md), e.g. \"metadata.performance.accuracy < 0.9\".",
    };

    /// <summary>
    /// Runs <paramref name="action"/>; a malformed filter is reported with the filter and a caret under the error, exit code 2.
    /// </summary>
    public static async Task<int> Run(CliContext context, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (FilterSyntaxException ex)
        {
            context.Stderr.WriteLine($"ciaf: error: invalid filter: {ex.Reason} (column {ex.Column})");
            context.Stderr.WriteLine(ex.Caret);
            context.Stderr.Flush();
            return ExitCodes.Usage;
        }
    }

    /// <summary><paramref name="filter"/> and <c>field = 'value'</c> for each value given, as one filter; <c>null</c> when there is nothing.</summary>
    public static string? And(string? filter, params (string Field, string Op, string? Value)[] terms)
    {
        var parts = new List<string>();
        if (filter is not null) parts.Add($"({filter})");
        foreach (var (field, op, value) in terms)
        {
            if (value is not null) parts.Add($"{field} {op} '{value.Replace("'", "''", StringComparison.Ordinal)}'");
        }
        return parts.Count == 0 ? null : string.Join(" AND ", parts);
    }

    /// <summary>An instant as a filter literal's text.</summary>
    public static string? Instant(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    private static (string Field, bool Descending) Order(string[]? words)
    {
        if (words is not { Length: > 0 }) return ("timestamp", true);
        if (words.Length == 1) return (words[0], true);
        return words[1].ToLowerInvariant() switch
        {
            "asc" => (words[0], false),
            "desc" => (words[0], true),
            _ => throw CliException.Usage($"--order-by takes a field and then asc or desc, not '{words[1]}'."),
        };
    }
}
