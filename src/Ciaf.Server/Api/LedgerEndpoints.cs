using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Verification;
using Ciaf.Server.Authorization;
using Ciaf.Server.Problems;
using Microsoft.AspNetCore.Builder;

namespace Ciaf.Server.Api;

/// <summary><c>GET /api/v1/ledger/checkpoint</c> (the latest signed checkpoint) and <c>POST /api/v1/verify</c> (a verification report).</summary>
internal static class LedgerEndpoints
{
    private static readonly HashSet<string> VerifyFields = ["checkpoints", "public_key_pem"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/ledger/checkpoint", async (MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var status = await storage.Ledger.StatusAsync(cancellationToken).ConfigureAwait(false);
                var checkpoint = status.LatestCheckpoint
                    ?? throw RequestProblemException.NotFound(status.Active
                        ? "The ledger has no signed checkpoint yet (the server signs them when ledger_key_path is configured)."
                        : "The store keeps no active ledger.");
                return TypedResults.Json(new JsonObject
                {
                    ["origin"] = checkpoint.Origin,
                    ["tree_size"] = checkpoint.TreeSize,
                    ["root_hash"] = Convert.ToHexStringLower(checkpoint.RootHash),
                    ["ledger_size"] = status.Size,
                    ["checkpoint"] = checkpoint.Text,
                });
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithTags("Ledger")
            .WithName("GetCheckpoint")
            .WithSummary("The latest signed checkpoint of the store's ledger (`checkpoint` is the signed note, as `ciaf ledger checkpoint` writes it).")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/verify", async (HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var options = new VerifyOptions();
                if (await JsonBody.ReadObjectAsync(request, VerifyFields, "a verify request",
                        "{\"checkpoints\": [...], \"public_key_pem\": \"...\"}", optional: true, cancellationToken).ConfigureAwait(false) is { } body)
                {
                    options = new VerifyOptions { Checkpoints = Checkpoints(body), PublicKeyPem = PublicKey(body) };
                }
                var report = await storage.VerifyAsync(options, cancellationToken).ConfigureAwait(false);
                return TypedResults.Json(report);
            })
            .RequireAuthorization(CiafPolicies.Audit)
            .WithTags("Ledger")
            .WithName("Verify")
            .WithSummary("Verify the store (every record's hash, the ledger, optional `checkpoints` — signed notes — against `public_key_pem`); returns the report (`is_valid`, `issues`).")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static IReadOnlyList<(string Text, string Source)> Checkpoints(JsonObject body)
    {
        if (body["checkpoints"] is null) return [];
        if (body["checkpoints"] is not JsonArray array || array.Any(n => n is null || n.GetValueKind() != JsonValueKind.String))
            throw RequestProblemException.BadRequest("checkpoints", "'checkpoints' must be an array of signed checkpoint notes (strings).");
        return [.. array.Select((n, i) => (n!.GetValue<string>(), $"checkpoints[{i}]"))];
    }

    private static string? PublicKey(JsonObject body)
    {
        string? pem = JsonBody.String(body, "public_key_pem");
        // The library also takes a file path here; a client must not make the server open its files.
        if (pem is not null && !pem.TrimStart().StartsWith("-----BEGIN ", StringComparison.Ordinal))
            throw RequestProblemException.BadRequest("public_key_pem", "'public_key_pem' must be a PEM public key (-----BEGIN PUBLIC KEY-----...).");
        return pem;
    }
}
