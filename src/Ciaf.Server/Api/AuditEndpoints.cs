using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Server.Authorization;
using Microsoft.AspNetCore.Builder;

namespace Ciaf.Server.Api;

/// <summary><c>GET /api/v1/audit</c>: the access audit trail.</summary>
internal static class AuditEndpoints
{
    /// <summary>The most entries one request returns.</summary>
    public const int MaxEntries = 10_000;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var query = new AuditQuery
                {
                    ParentId = QueryValues.Text(request, "record_id") is { } id ? RecordIds.Check(id, "record_id") : null,
                    Action = QueryValues.Text(request, "action"),
                    UserId = QueryValues.Text(request, "user"),
                    Since = QueryValues.Time(request, "since"),
                    Until = QueryValues.Time(request, "until"),
                    Limit = QueryValues.Integer(request, "limit", 1, MaxEntries) ?? 1000,
                    Order = QueryValues.Choice(request, "order", ["newest", "oldest"], "newest") == "oldest" ? RecordOrder.OldestFirst : RecordOrder.NewestFirst,
                };
                var entries = await storage.GetAuditTrailAsync(query, cancellationToken).ConfigureAwait(false);
                return TypedResults.Json(new JsonObject { ["entries"] = new JsonArray([.. entries.Select(e => (JsonNode)Json(e))]) });
            })
            .RequireAuthorization(CiafPolicies.Audit)
            .WithTags("Audit")
            .WithName("GetAuditTrail")
            .WithSummary("The audit trail (who read, wrote, exported, held, cleaned up, created keys): by `record_id`, `action`, `user`, `since`, `until`; `order` newest (default) or oldest; at most `limit` (1-10000, default 1000).")
            .Produces<JsonObject>();
    }

    private static JsonObject Json(AuditEntry entry) => new()
    {
        ["id"] = entry.Id,
        ["parent_id"] = entry.ParentId,
        ["action"] = entry.Action,
        ["timestamp"] = PythonTimestamp.Format(entry.Timestamp),
        ["user_id"] = entry.UserId,
        ["details"] = entry.Details is { } d ? ParseDetails(d) : null,
    };

    // Details are JSON written by the library; an entry written by something else may hold plain text: keep it as text.
    private static JsonNode ParseDetails(string details)
    {
        try
        {
            return JsonNode.Parse(details) ?? JsonValue.Create(details);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(details);
        }
    }
}
