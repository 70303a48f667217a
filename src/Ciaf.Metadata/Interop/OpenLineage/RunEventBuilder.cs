using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Integration;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// Turns stored records into OpenLineage RunEvents (spec 2-0-2): each record is one step, a <c>START</c> and then a
/// <c>COMPLETE</c> (or <c>FAIL</c>, for a capture that recorded an error). A pure function of the record and its context
/// (parent run, ledger leaf), so the live emitter and <c>ciaf export --format openlineage</c> write the same events.
/// </summary>
internal sealed class RunEventBuilder(string jobNamespace, Uri producer)
{
    /// <summary>The metadata key a capture writes its id under (its run id).</summary>
    public const string CaptureIdKey = "capture_id";

    /// <summary>The metadata key a nested capture writes its enclosing capture's id under (its parent run).</summary>
    public const string ParentCaptureIdKey = "parent_capture_id";

    private const string ErrorSuffix = "_error";
    private readonly string _producer = producer.AbsoluteUri;

    /// <summary>The jobs' namespace.</summary>
    public string Namespace { get; } = jobNamespace;

    /// <summary>A job's name: <c>&lt;model&gt;.&lt;stage&gt;.&lt;event_type&gt;</c>.</summary>
    public static string JobName(string modelName, string stage, string eventType) => $"{modelName}.{stage}.{eventType}";

    /// <summary>
    /// The job a record is a run of: a failed capture's <c>&lt;event_type&gt;_error</c> is a run of <c>&lt;event_type&gt;</c>, so
    /// its <c>START</c> and <c>FAIL</c> name one job.
    /// </summary>
    public static string JobName(MetadataRecord record) =>
        JobName(record.ModelName, record.Stage, Error(record) is not null ? record.EventType[..^ErrorSuffix.Length] : record.EventType);

    /// <summary>A record's run id: its capture's id, else its own id (a UUID), else a UUID derived from its id.</summary>
    public static string RunId(MetadataRecord record) => RunIdOf(Text(record.Metadata[CaptureIdKey]) ?? record.Id);

    /// <summary><paramref name="id"/> if it is a UUID (lowercase), else the name-based UUID of it.</summary>
    public static string RunIdOf(string id) =>
        (Guid.TryParse(id, out var guid) ? guid : NameBasedUuid.Create("openlineage-run:" + id)).ToString("D");

    /// <summary>The enclosing capture's id a capture record names, or null.</summary>
    public static string? ParentCaptureId(MetadataRecord record) => Text(record.Metadata[ParentCaptureIdKey]);

    /// <summary>Whether the record is a capture's (it carries <c>capture_id</c>).</summary>
    public static bool IsCapture(MetadataRecord record) => Text(record.Metadata[CaptureIdKey]) is not null;

    /// <summary>Whether the record starts a pipeline run (<c>model_lifecycle</c>/<c>model_initialized</c>, written by a new manager).</summary>
    public static bool IsPipelineStart(MetadataRecord record) =>
        record.Stage == PipelineStages.ModelLifecycle && record.EventType == ManagerEvents.ModelInitialized;

    /// <summary>
    /// When the step began: a capture's timestamp (its end) less its <c>execution_time</c>, to the microsecond; the
    /// timestamp for records that state no duration.
    /// </summary>
    public static DateTimeOffset StartTime(MetadataRecord record)
    {
        if (record.Metadata["execution_time"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double seconds)
            && double.IsFinite(seconds) && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds / 2)
        {
            long ticks = (long)Math.Round(seconds * TimeSpan.TicksPerSecond / 10) * 10; // whole microseconds, as timestamps are
            if (record.Timestamp.UtcTicks - ticks > DateTimeOffset.MinValue.UtcTicks) return record.Timestamp.AddTicks(-ticks);
        }
        return record.Timestamp;
    }

    /// <summary>The <c>START</c> of a record's run.</summary>
    public JsonObject Start(MetadataRecord record, LineageParent? parent) =>
        Event("START", StartTime(record), RunId(record), JobName(record), RunFacets(parent), null, null);

    /// <summary>
    /// The <c>START</c> of a capture scope, sent when the scope opens (its record does not exist yet): run, job, parent.
    /// </summary>
    public JsonObject Start(string runId, string jobName, DateTimeOffset at, LineageParent? parent) =>
        Event("START", at, RunIdOf(runId), jobName, RunFacets(parent), null, null);

    /// <summary>
    /// The terminal event of a record's run: <c>FAIL</c> with the <c>errorMessage</c> facet for a capture that recorded an
    /// error, else <c>COMPLETE</c>; with the datasets it names and the <c>ciaf_record</c> facet (id, hash, ledger leaf).
    /// </summary>
    public JsonObject Terminal(MetadataRecord record, LineageParent? parent, long? leafIndex)
    {
        var facets = RunFacets(parent);
        var error = Error(record);
        if (error is not null) facets["errorMessage"] = ErrorFacet(error);
        var recordFacet = LineageDatasets.Facet(_producer, OpenLineageSpec.RecordFacetSchemaUrl);
        recordFacet["recordId"] = record.Id;
        recordFacet["metadataHash"] = record.MetadataHash;
        recordFacet["modelName"] = record.ModelName;
        recordFacet["modelVersion"] = record.ModelVersion;
        recordFacet["stage"] = record.Stage;
        recordFacet["eventType"] = record.EventType;
        if (leafIndex is { } leaf) recordFacet["ledgerLeafIndex"] = leaf;
        facets[OpenLineageSpec.RecordFacetName] = recordFacet;
        return Event(error is null ? "COMPLETE" : "FAIL", record.Timestamp, RunId(record), JobName(record), facets,
            LineageDatasets.Inputs(record, Namespace, _producer), LineageDatasets.Outputs(record, Namespace, _producer));
    }

    /// <summary>
    /// The terminal event of a capture whose record was never written (the store refused or lost it): the run still ends,
    /// <c>COMPLETE</c> or <c>FAIL</c> as the wrapped code did, without the record facet.
    /// </summary>
    public JsonObject Terminal(string runId, string jobName, DateTimeOffset at, LineageParent? parent, string? failure)
    {
        var facets = RunFacets(parent);
        if (failure is not null) facets["errorMessage"] = ErrorFacet(failure, null);
        return Event(failure is null ? "COMPLETE" : "FAIL", at, RunIdOf(runId), jobName, facets, null, null);
    }

    private JsonObject Event(string eventType, DateTimeOffset at, string runId, string jobName, JsonObject runFacets, JsonArray? inputs, JsonArray? outputs)
    {
        var run = new JsonObject { ["runId"] = runId };
        if (runFacets.Count > 0) run["facets"] = runFacets;
        var ev = new JsonObject
        {
            ["eventType"] = eventType,
            ["eventTime"] = PythonTimestamp.Format(at),
            ["run"] = run,
            ["job"] = new JsonObject { ["namespace"] = Namespace, ["name"] = jobName },
            ["inputs"] = inputs ?? [],
            ["outputs"] = outputs ?? [],
            ["producer"] = _producer,
            ["schemaURL"] = OpenLineageSpec.RunEventSchemaUrl,
        };
        return ev;
    }

    private JsonObject RunFacets(LineageParent? parent)
    {
        var facets = new JsonObject();
        if (parent is null) return facets;
        var facet = LineageDatasets.Facet(_producer, OpenLineageSpec.ParentRunFacetSchemaUrl);
        facet["run"] = new JsonObject { ["runId"] = parent.RunId };
        facet["job"] = new JsonObject { ["namespace"] = Namespace, ["name"] = parent.JobName };
        facets["parent"] = facet;
        return facets;
    }

    private JsonObject ErrorFacet(JsonObject error)
    {
        string message = Text(error["message"]) ?? Text(error["type"]) ?? "error";
        string? stackTrace = error["traceback"] switch
        {
            JsonArray lines => string.Join('\n', lines.Select(Text).Where(l => l is not null)),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => null,
        };
        return ErrorFacet(Text(error["type"]) is { } type && !message.StartsWith(type, StringComparison.Ordinal) ? $"{type}: {message}" : message, stackTrace);
    }

    private JsonObject ErrorFacet(string message, string? stackTrace)
    {
        var facet = LineageDatasets.Facet(_producer, OpenLineageSpec.ErrorMessageRunFacetSchemaUrl);
        facet["message"] = message;
        facet["programmingLanguage"] = "C#";
        if (!string.IsNullOrEmpty(stackTrace)) facet["stackTrace"] = stackTrace;
        return facet;
    }

    /// <summary>The error a capture recorded (<c>&lt;event_type&gt;_error</c> with an <c>error</c> object), or null.</summary>
    private static JsonObject? Error(MetadataRecord record) =>
        record.EventType.Length > ErrorSuffix.Length && record.EventType.EndsWith(ErrorSuffix, StringComparison.Ordinal)
            && record.Metadata["error"] is JsonObject error ? error : null;

    private static string? Text(JsonNode? node) => LineageDatasets.Text(node);
}
