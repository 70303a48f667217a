using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Retention;
using Ciaf.Server.Authorization;
using Ciaf.Server.Problems;
using Microsoft.AspNetCore.Builder;

namespace Ciaf.Server.Api;

/// <summary>
/// <c>/api/v1/holds</c> (legal holds: list, place, release) and <c>POST /api/v1/cleanup</c> (dry run unless asked).
/// A hold's id is <c>model:&lt;name&gt;</c> or <c>record:&lt;id&gt;</c>.
/// </summary>
internal static class RetentionEndpoints
{
    private static readonly HashSet<string> HoldFields = ["scope", "target", "reason"];
    private static readonly HashSet<string> CleanupFields = ["days_old", "dry_run"];

    public static void Map(RouteGroupBuilder api)
    {
        var holds = api.MapGroup("/holds").WithTags("Retention");

        holds.MapGet("/", async (MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var list = await storage.GetLegalHoldsAsync(cancellationToken).ConfigureAwait(false);
                return TypedResults.Json(new JsonObject { ["holds"] = new JsonArray([.. list.Select(h => (JsonNode)Json(h))]) });
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("ListHolds")
            .WithSummary("The legal holds in place, oldest first.")
            .Produces<JsonObject>();

        holds.MapPost("/", async (HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var body = (await JsonBody.ReadObjectAsync(request, HoldFields, "a legal hold",
                    "{\"scope\": \"model\"|\"record\", \"target\": ..., \"reason\": ...}", optional: false, cancellationToken).ConfigureAwait(false))!;
                var scope = Scope(JsonBody.String(body, "scope") ?? "model", "scope");
                string target = JsonBody.String(body, "target") ?? throw RequestProblemException.BadRequest("target", "'target' is required: the model name or the record id.");
                if (scope == LegalHoldScope.Record) RecordIds.Check(target, "target");
                string reason = JsonBody.String(body, "reason") is { Length: > 0 } r && !string.IsNullOrWhiteSpace(r)
                    ? r : throw RequestProblemException.BadRequest("reason", "'reason' is required (e.g. a case reference).");
                var hold = await storage.PlaceLegalHoldAsync(target, reason, scope, cancellationToken).ConfigureAwait(false);
                return TypedResults.Created($"{request.PathBase}{request.Path.Value!.TrimEnd('/')}/{Uri.EscapeDataString(HoldId(hold))}", Json(hold));
            })
            .RequireAuthorization(CiafPolicies.Admin)
            .WithName("PlaceHold")
            .WithSummary("Place (or renew) a legal hold on a model or a record: cleanup keeps what it covers until released.")
            .Accepts<JsonObject>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        holds.MapDelete("/{id}", async (string id, HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                int colon = id.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) throw RequestProblemException.BadRequest("id", $"A hold id is model:<name> or record:<id>, not '{id}'.");
                var scope = Scope(id[..colon], "id");
                string target = id[(colon + 1)..];
                if (scope == LegalHoldScope.Record) RecordIds.Check(target, "id");
                bool released = await storage.ReleaseLegalHoldAsync(target, scope, QueryValues.Text(request, "reason"), cancellationToken).ConfigureAwait(false);
                if (!released) throw RequestProblemException.NotFound($"No legal hold '{id}'.");
                return TypedResults.NoContent();
            })
            .RequireAuthorization(CiafPolicies.Admin)
            .WithName("ReleaseHold")
            .WithSummary("Release the legal hold `model:<name>` or `record:<id>` (`reason` query parameter: why, for the audit trail).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/cleanup", async (HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                int? daysOld = null;
                bool dryRun = true;
                if (await JsonBody.ReadObjectAsync(request, CleanupFields, "a cleanup request", "{\"days_old\": n, \"dry_run\": false}",
                        optional: true, cancellationToken).ConfigureAwait(false) is { } body)
                {
                    daysOld = body["days_old"] switch
                    {
                        null => null,
                        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int days) && days >= 0 && days <= MetadataStorageOptions.MaxRetentionDays => days,
                        _ => throw RequestProblemException.BadRequest("days_old", $"'days_old' must be an integer from 0 to {MetadataStorageOptions.MaxRetentionDays}."),
                    };
                    dryRun = body["dry_run"] switch
                    {
                        null => true,
                        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
                        _ => throw RequestProblemException.BadRequest("dry_run", "'dry_run' must be true or false."),
                    };
                }
                var report = await storage.CleanupOldMetadataAsync(daysOld, dryRun, cancellationToken).ConfigureAwait(false);
                return TypedResults.Json(report);
            })
            .RequireAuthorization(CiafPolicies.Admin)
            .WithTags("Retention")
            .WithName("Cleanup")
            .WithSummary("Remove what is past retention — a dry run (nothing removed) unless the body says `\"dry_run\": false`; `days_old` overrides the configured retention. Legal holds win.")
            .Produces<CleanupReport>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static LegalHoldScope Scope(string text, string field) => text switch
    {
        "model" => LegalHoldScope.Model,
        "record" => LegalHoldScope.Record,
        _ => throw RequestProblemException.BadRequest(field, $"The scope must be model or record, not '{text}'."),
    };

    private static string HoldId(LegalHold hold) => (hold.Scope == LegalHoldScope.Record ? "record:" : "model:") + hold.Target;

    private static JsonObject Json(LegalHold hold) => new()
    {
        ["id"] = HoldId(hold),
        ["scope"] = hold.Scope == LegalHoldScope.Record ? "record" : "model",
        ["target"] = hold.Target,
        ["reason"] = hold.Reason,
        ["placed_by"] = hold.PlacedBy,
        ["placed_at"] = PythonTimestamp.Format(hold.PlacedAt),
    };
}
