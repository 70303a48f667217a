using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Server.Authorization;
using Ciaf.Server.Problems;
using Microsoft.AspNetCore.Builder;

namespace Ciaf.Server.Api;

/// <summary><c>/api/v1/compliance/events</c>: read and add compliance events.</summary>
internal static class ComplianceEndpoints
{
    /// <summary>The most events one request returns.</summary>
    public const int MaxEvents = 10_000;

    private static readonly HashSet<string> Fields = ["metadata_id", "framework", "compliance_score", "validation_status", "details"];

    public static void Map(RouteGroupBuilder api)
    {
        var events = api.MapGroup("/compliance/events").WithTags("Compliance");

        events.MapGet("/", async (HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                int limit = QueryValues.Integer(request, "limit", 1, MaxEvents) ?? 1000;
                IReadOnlyList<ComplianceEvent> found = QueryValues.Text(request, "filter") is { } filter
                    ? await storage.SearchComplianceEventsAsync(filter, limit, cancellationToken).ConfigureAwait(false)
                    : await storage.GetComplianceEventsAsync(new ComplianceEventQuery
                    {
                        Framework = QueryValues.Text(request, "framework"),
                        MetadataId = QueryValues.Text(request, "metadata_id") is { } id ? RecordIds.Check(id, "metadata_id") : null,
                        Since = QueryValues.Time(request, "since"),
                        Until = QueryValues.Time(request, "until"),
                        Limit = limit,
                    }, cancellationToken).ConfigureAwait(false);
                return TypedResults.Json(new JsonObject { ["events"] = new JsonArray([.. found.Select(e => (JsonNode)RecordJson.ToJsonObject(e))]) });
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("GetComplianceEvents")
            .WithSummary("Compliance events, newest first: by `framework`, `metadata_id`, `since`, `until` (ISO 8601), or a `filter` over their fields; at most `limit` (1-10000, default 1000).")
            .Produces<JsonObject>();

        events.MapPost("/", async (HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var body = (await JsonBody.ReadObjectAsync(request, Fields, "a compliance event",
                    "{\"framework\": ..., \"metadata_id\"?, \"compliance_score\"?, \"validation_status\"?, \"details\"?}", optional: false, cancellationToken).ConfigureAwait(false))!;
                string? metadataId = Text(body, "metadata_id");
                if (metadataId is not null) RecordIds.Check(metadataId, "metadata_id");
                string framework = Text(body, "framework") ?? throw RequestProblemException.BadRequest("framework", "'framework' is required (a string, e.g. GDPR).");
                double? score = body["compliance_score"] switch
                {
                    null => null,
                    JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() is >= 0 and <= 1 => v.GetValue<double>(),
                    _ => throw RequestProblemException.BadRequest("compliance_score", "'compliance_score' must be a number from 0 to 1."),
                };
                string id = await storage.AddComplianceEventAsync(metadataId, framework, score, Text(body, "validation_status"), Text(body, "details"),
                    cancellationToken).ConfigureAwait(false);
                return TypedResults.Created($"{request.PathBase}{request.Path}", new JsonObject { ["id"] = id });
            })
            .RequireAuthorization(CiafPolicies.Write)
            .WithName("AddComplianceEvent")
            .WithSummary("Add a compliance event `{framework, metadata_id?, compliance_score? (0-1), validation_status?, details?}`; 201 with its id.")
            .Accepts<JsonObject>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static string? Text(JsonObject body, string name) => JsonBody.String(body, name);
}
