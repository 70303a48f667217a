using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Server.Authorization;
using Ciaf.Server.Problems;
using Microsoft.AspNetCore.Builder;

namespace Ciaf.Server.Api;

/// <summary><c>/api/v1/models</c>: the models in the store, a model's pipeline trace and its compliance report.</summary>
internal static class ModelEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Models");

        models.MapGet("/", async (MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                // One aggregate query on SQLite and PostgreSQL (no record read); other backends read the records once.
                var summaries = await storage.GetModelSummariesAsync(cancellationToken).ConfigureAwait(false);
                return TypedResults.Json(new JsonObject { ["models"] = new JsonArray([.. summaries.Select(m => (JsonNode)ToJson(m))]) });
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("ListModels")
            .WithSummary("Every model: its versions, the stages present with record counts, first and last activity.")
            .Produces<JsonObject>();

        models.MapGet("/{model}/trace", async (string model, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                var trace = await storage.GetPipelineTraceAsync(model, cancellationToken).ConfigureAwait(false);
                if (trace.EntryCount == 0) throw RequestProblemException.NotFound($"The model '{model}' has no records.");
                return TypedResults.Json(RecordJson.ToJsonObject(trace));
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("GetTrace")
            .WithSummary("The model's pipeline trace (as `ciaf trace --json`): its stages in pipeline order, each with all its entries.")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        models.MapGet("/{model}/compliance-report", async (string model, HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                double threshold = (QueryValues.Integer(request, "threshold_percent", 0, 100) ?? 80) / 100.0;
                var report = await StoredComplianceReport.BuildAsync(storage, model, threshold, cancellationToken).ConfigureAwait(false)
                    ?? throw RequestProblemException.NotFound($"The model '{model}' has no compliance assessments.");
                return TypedResults.Json(report.ToJsonObject());
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("GetComplianceReport")
            .WithSummary("The model's compliance report from its stored assessments (as `ciaf compliance report --format json`); `threshold_percent` (default 80) is the pass mark.")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static JsonObject ToJson(ModelSummary model) => new()
    {
        ["model_name"] = model.ModelName,
        ["records"] = model.RecordCount,
        ["versions"] = new JsonArray([.. model.Versions.Order(StringComparer.Ordinal).Select(v => (JsonNode)v)]),
        ["stages"] = new JsonObject([.. model.Stages.Select(s => KeyValuePair.Create(s.Stage, (JsonNode?)s.RecordCount))]),
        ["first_activity"] = PythonTimestamp.Format(model.FirstActivity),
        ["last_activity"] = PythonTimestamp.Format(model.LastActivity),
    };
}
