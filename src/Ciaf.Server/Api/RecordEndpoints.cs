using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Backends.Remote;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Search;
using Ciaf.Server.Authorization;
using Ciaf.Server.Problems;
using Microsoft.AspNetCore.Builder;

namespace Ciaf.Server.Api;

/// <summary><c>/api/v1/records</c>: save records, read one, search, and a record's ledger receipt.</summary>
internal static class RecordEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var records = api.MapGroup("/records").WithTags("Records");

        records.MapGet("/{id}", async (string id, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                RecordIds.Check(id);
                var record = await storage.GetMetadataAsync(id, cancellationToken).ConfigureAwait(false)
                    ?? throw RequestProblemException.NotFound($"No record has the id '{id}'.");
                return TypedResults.Json(RecordJson.ToJsonObject(record));
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("GetRecord")
            .WithSummary("One record, exactly as `ciaf get --json` prints it.")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        records.MapGet("/", async (HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var (field, descending) = SearchOrderText.Parse(QueryValues.Text(request, "order_by"));
                var options = new SearchOptions
                {
                    OrderBy = field,
                    Descending = descending,
                    Limit = QueryValues.Integer(request, "limit", 1, MaxPageSize) ?? SearchOptions.DefaultLimit,
                    Cursor = QueryValues.Text(request, "cursor"),
                };
                // No filter lists every record (newest first unless order_by says), paged as any search.
                var page = await storage.SearchAsync(QueryValues.Text(request, "filter") ?? EveryRecord, options, cancellationToken).ConfigureAwait(false);
                return TypedResults.Json(new JsonObject
                {
                    ["records"] = new JsonArray([.. page.Records.Select(r => (JsonNode)RecordJson.ToJsonObject(r))]),
                    ["next_cursor"] = page.NextCursor,
                });
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("SearchRecords")
            .WithSummary("Records matching `filter` (the search language, docs/search.md; every record when it is absent), in `order_by` order (`field [asc|desc]`, default `timestamp desc`), `limit` per page (1-1000, default 50), from `cursor` (the previous page's `next_cursor`).")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        records.MapGet("/{id}/proof", async (string id, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                RecordIds.Check(id);
                var receipt = await storage.Ledger.ProveAsync(id, cancellationToken).ConfigureAwait(false);
                return TypedResults.Text(receipt.ToJson(), "application/json");
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("ProveRecord")
            .WithSummary("The record's ledger receipt (as `ciaf prove` writes it): its leaf, inclusion path and a signed checkpoint; verify it offline with `ciaf verify-receipt`.")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        records.MapPost("/", async (HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var body = await JsonBody.ReadBytesAsync(request, cancellationToken).ConfigureAwait(false);
                // Records their client built (the remote backend's): stored as sent, idempotent by id (docs/server.md, "Remote backend").
                if (await new RemoteBackendHost(storage).TryWriteRecordsAsync(body, BackendEndpoints.IsRetry(request), cancellationToken).ConfigureAwait(false) is { } written)
                    return TypedResults.Created($"{request.PathBase}{request.Path}", new SavedRecords(written));
                var (entries, isArray) = RecordEntryReader.Read(JsonBody.Parse(body.Span));
                var ids = isArray
                    ? await storage.SaveMetadataBatchAsync(entries, cancellationToken).ConfigureAwait(false)
                    : [await storage.SaveMetadataAsync(entries[0].ModelName, entries[0].Stage, entries[0].EventType, entries[0].Metadata,
                        entries[0].ModelVersion, entries[0].Details, cancellationToken).ConfigureAwait(false)];
                string location = isArray ? $"{request.PathBase}{request.Path}" : $"{request.PathBase}{request.Path.Value!.TrimEnd('/')}/{ids[0]}";
                return TypedResults.Created(location, new SavedRecords(ids));
            })
            .RequireAuthorization(CiafPolicies.Write)
            .WithName("SaveRecords")
            .WithSummary("Save one record (an object) or several (an array, all or nothing); 201 with the new ids. Records that carry their own "
                + "`id`, `timestamp` and `metadata_hash` (the remote backend's) are stored as sent, idempotent by id.")
            .Accepts<JsonNode>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>
    /// The filter an absent one stands for: every record (the search language has no empty filter). A cursor from such a
    /// page continues a request without a filter.
    /// </summary>
    public const string EveryRecord = "id IS NOT NULL";

    /// <summary>The largest page a search returns.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The ids of the records saved, in the order sent.</summary>
    /// <param name="Ids">The new ids.</param>
    internal sealed record SavedRecords(IReadOnlyList<string> Ids);
}
