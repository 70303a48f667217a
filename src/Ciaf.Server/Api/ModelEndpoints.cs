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
                // One streamed pass over the records, oldest first; memory grows with the number of models, not records.
                var summaries = new SortedDictionary<string, ModelSummary>(StringComparer.Ordinal);
                await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
                {
                    if (!summaries.TryGetValue(r.ModelName, out var m)) summaries[r.ModelName] = m = new ModelSummary(r.ModelName, r.Timestamp);
                    m.Add(r);
                }
                return TypedResults.Json(new JsonObject { ["models"] = new JsonArray([.. summaries.Values.Select(m => (JsonNode)m.ToJson())]) });
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

    private sealed class ModelSummary(string name, DateTimeOffset first)
    {
        private readonly DateTimeOffset _first = first;
        private readonly SortedSet<string> _versions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _stages = new(StringComparer.Ordinal);
        private DateTimeOffset _last = first;
        private long _count;

        public void Add(MetadataRecord record)
        {
            _count++;
            _last = record.Timestamp;
            _versions.Add(record.ModelVersion);
            _stages[record.Stage] = _stages.GetValueOrDefault(record.Stage) + 1;
        }

        public JsonObject ToJson() => new()
        {
            ["model_name"] = name,
            ["records"] = _count,
            ["versions"] = new JsonArray([.. _versions.Select(v => (JsonNode)v)]),
            ["stages"] = new JsonObject([.. PipelineStages.Ordered.Where(_stages.ContainsKey).Concat(_stages.Keys.Where(s => !PipelineStages.Ordered.Contains(s)).Order(StringComparer.Ordinal))
                .Select(s => KeyValuePair.Create(s, (JsonNode?)_stages[s]))]),
            ["first_activity"] = PythonTimestamp.Format(_first),
            ["last_activity"] = PythonTimestamp.Format(_last),
        };
    }
}
