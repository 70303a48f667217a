using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// Serious incidents and their Art. 73 deadlines, kept as <c>post_market</c> records: <c>incident_opened</c> (its id is
/// the incident id), <c>incident_updated</c> (reports, notes) and <c>incident_closed</c>. An incident is rebuilt from its
/// records on every read, so any process sees the same. <c>ciaf incident open|update|close|list</c> is this class.
/// </summary>
/// <param name="storage">The store.</param>
/// <param name="timeProvider">The clock for "now" (default: the system clock).</param>
public sealed class IncidentRegister(MetadataStorage storage, TimeProvider? timeProvider = null)
{
    /// <summary>The report kinds of <see cref="UpdateAsync"/>: <c>initial</c> (may be incomplete, Art. 73(5)) and <c>complete</c>.</summary>
    public static IReadOnlyList<string> ReportKinds { get; } = ["initial", "complete"];

    private readonly MetadataStorage _storage = storage ?? throw new ArgumentNullException(nameof(storage));
    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>The register's "now" (UTC, whole microseconds), against which deadlines are judged.</summary>
    public DateTimeOffset Now => PythonTimestamp.Now(_clock);

    /// <summary>Opens an incident: records its kind, awareness time, deadline and summary. Returns it.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="kind">The kind, which sets the deadline.</param>
    /// <param name="awareAt">When the provider became aware of it (not in the future).</param>
    /// <param name="summary">What happened.</param>
    /// <param name="modelVersion">The version concerned; default: the model's current version.</param>
    /// <param name="context">Anything else to keep with it (e.g. the monitoring check that found it).</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="ArgumentException">An empty summary, or an awareness time in the future.</exception>
    public async ValueTask<Incident> OpenAsync(string modelName, IncidentKind kind, DateTimeOffset awareAt, string summary, string? modelVersion = null,
        object? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an incident kind.");
        var aware = PythonTimestamp.Truncate(awareAt);
        var now = Now;
        if (aware > now)
        {
            throw new ArgumentException($"The awareness time {PythonTimestamp.Format(aware)} is in the future (now {PythonTimestamp.Format(now)}).", nameof(awareAt));
        }
        string version = await GovernanceStore.VersionOrLatestAsync(_storage, modelName, modelVersion, cancellationToken).ConfigureAwait(false);
        var data = new JsonObject
        {
            ["kind"] = IncidentDeadlines.Name(kind),
            ["aware_at"] = PythonTimestamp.Format(aware),
            ["due_at"] = PythonTimestamp.Format(IncidentDeadlines.DueAt(kind, aware)),
            ["deadline_days"] = IncidentDeadlines.Days(kind),
            ["article"] = IncidentDeadlines.Article(kind),
            ["summary"] = summary,
        };
        if (GovernanceStore.ToNode(context, nameof(context)) is { } c) data["context"] = c;
        string id = await _storage.SaveMetadataAsync(modelName, GovernanceStages.PostMarket, GovernanceEvents.IncidentOpened, data, version,
            $"Incident ({IncidentDeadlines.Name(kind)}): {summary}", cancellationToken).ConfigureAwait(false);
        return await GetRequiredAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="OpenAsync"/>
    public Incident Open(string modelName, IncidentKind kind, DateTimeOffset awareAt, string summary, string? modelVersion = null, object? context = null) =>
        SyncOverAsync.Run(OpenAsync(modelName, kind, awareAt, summary, modelVersion, context));

    /// <summary>
    /// Records news about an open incident: a new summary, a report to the market surveillance authority (<c>initial</c>,
    /// which may be incomplete, or <c>complete</c>) and when it was made, a note. Returns the incident as it now stands.
    /// </summary>
    /// <param name="incidentId">The incident id.</param>
    /// <param name="summary">A new summary.</param>
    /// <param name="report">A report made: <c>initial</c> or <c>complete</c>.</param>
    /// <param name="reportedAt">When the report was made (default: now); not before the awareness time, not in the future.</param>
    /// <param name="note">A note.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="ArgumentException">No such incident, it is closed, nothing to record, an unknown report kind, or a report time out of range.</exception>
    public async ValueTask<Incident> UpdateAsync(string incidentId, string? summary = null, string? report = null, DateTimeOffset? reportedAt = null,
        string? note = null, CancellationToken cancellationToken = default)
    {
        var incident = await OpenIncidentAsync(incidentId, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(summary) && string.IsNullOrWhiteSpace(report) && string.IsNullOrWhiteSpace(note))
        {
            throw new ArgumentException("Nothing to record: give a summary, a report or a note.", nameof(summary));
        }
        if (reportedAt is not null && string.IsNullOrWhiteSpace(report))
        {
            throw new ArgumentException("A report time needs a report (initial or complete).", nameof(reportedAt));
        }
        var data = new JsonObject { ["incident_id"] = incident.Id };
        if (!string.IsNullOrWhiteSpace(summary)) data["summary"] = summary;
        if (!string.IsNullOrWhiteSpace(report))
        {
            string kind = report.Trim().ToLowerInvariant();
            if (!ReportKinds.Contains(kind)) throw new ArgumentException($"'{report}' is not a report kind; allowed: {string.Join(", ", ReportKinds)}.", nameof(report));
            var now = Now;
            var at = PythonTimestamp.Truncate(reportedAt ?? now);
            if (at < incident.AwareAt)
            {
                throw new ArgumentException($"The report time {PythonTimestamp.Format(at)} is before the awareness time {PythonTimestamp.Format(incident.AwareAt)}.", nameof(reportedAt));
            }
            if (at > now) throw new ArgumentException($"The report time {PythonTimestamp.Format(at)} is in the future.", nameof(reportedAt));
            data["report"] = kind;
            data["reported_at"] = PythonTimestamp.Format(at);
        }
        if (!string.IsNullOrWhiteSpace(note)) data["note"] = note;
        await _storage.SaveMetadataAsync(incident.ModelName, GovernanceStages.PostMarket, GovernanceEvents.IncidentUpdated, data, incident.ModelVersion,
            null, cancellationToken).ConfigureAwait(false);
        return await GetRequiredAsync(incident.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="UpdateAsync"/>
    public Incident Update(string incidentId, string? summary = null, string? report = null, DateTimeOffset? reportedAt = null, string? note = null) =>
        SyncOverAsync.Run(UpdateAsync(incidentId, summary, report, reportedAt, note));

    /// <summary>Closes an open incident with its resolution. Returns it.</summary>
    /// <param name="incidentId">The incident id.</param>
    /// <param name="resolution">How it was resolved.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="ArgumentException">No such incident, it is already closed, or an empty resolution.</exception>
    public async ValueTask<Incident> CloseAsync(string incidentId, string resolution, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resolution);
        var incident = await OpenIncidentAsync(incidentId, cancellationToken).ConfigureAwait(false);
        var data = new JsonObject { ["incident_id"] = incident.Id, ["closed_at"] = PythonTimestamp.Format(Now), ["resolution"] = resolution };
        await _storage.SaveMetadataAsync(incident.ModelName, GovernanceStages.PostMarket, GovernanceEvents.IncidentClosed, data, incident.ModelVersion,
            null, cancellationToken).ConfigureAwait(false);
        return await GetRequiredAsync(incident.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="CloseAsync"/>
    public Incident Close(string incidentId, string resolution) => SyncOverAsync.Run(CloseAsync(incidentId, resolution));

    /// <summary>The incident with this id, or null.</summary>
    /// <param name="incidentId">The incident id (its <c>incident_opened</c> record's id).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async ValueTask<Incident?> GetAsync(string incidentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(incidentId);
        var opened = await _storage.GetMetadataAsync(incidentId, cancellationToken).ConfigureAwait(false);
        if (opened is null || opened.Stage != GovernanceStages.PostMarket || opened.EventType != GovernanceEvents.IncidentOpened) return null;
        string filter = GovernanceStore.ModelClause(opened.ModelName) + " AND "
            + GovernanceStore.EventClause(GovernanceStages.PostMarket, GovernanceEvents.IncidentUpdated, GovernanceEvents.IncidentClosed)
            + $" AND metadata.incident_id = {FilterLexer.QuoteString(incidentId)}";
        var updates = await GovernanceStore.ListAsync(_storage, filter, newestFirst: false, cancellationToken).ConfigureAwait(false);
        return Build(opened, updates);
    }

    /// <inheritdoc cref="GetAsync"/>
    public Incident? Get(string incidentId) => SyncOverAsync.Run(GetAsync(incidentId));

    /// <summary>Every incident (of one model, when given), open and closed, by awareness time.</summary>
    /// <param name="modelName">Only this model's; null for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async ValueTask<IReadOnlyList<Incident>> ListAsync(string? modelName = null, CancellationToken cancellationToken = default)
    {
        string filter = (modelName is null ? "" : GovernanceStore.ModelClause(modelName) + " AND ")
            + GovernanceStore.EventClause(GovernanceStages.PostMarket, GovernanceEvents.IncidentOpened, GovernanceEvents.IncidentUpdated, GovernanceEvents.IncidentClosed);
        var records = await GovernanceStore.ListAsync(_storage, filter, newestFirst: false, cancellationToken).ConfigureAwait(false);
        var updates = records.Where(r => r.EventType != GovernanceEvents.IncidentOpened)
            .ToLookup(r => GovernanceStore.Text(r.Metadata, "incident_id") ?? "", StringComparer.Ordinal);
        return [.. records.Where(r => r.EventType == GovernanceEvents.IncidentOpened)
            .Select(r => Build(r, updates[r.Id]))
            .OrderBy(i => i.AwareAt).ThenBy(i => i.Id, StringComparer.Ordinal)];
    }

    /// <inheritdoc cref="ListAsync"/>
    public IReadOnlyList<Incident> List(string? modelName = null) => SyncOverAsync.Run(ListAsync(modelName));

    private async ValueTask<Incident> GetRequiredAsync(string incidentId, CancellationToken cancellationToken) =>
        await GetAsync(incidentId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"No incident with id '{incidentId}'.", nameof(incidentId));

    private async ValueTask<Incident> OpenIncidentAsync(string incidentId, CancellationToken cancellationToken)
    {
        var incident = await GetRequiredAsync(incidentId, cancellationToken).ConfigureAwait(false);
        if (incident.ClosedAt is { } closed)
        {
            throw new ArgumentException($"The incident '{incidentId}' was closed at {PythonTimestamp.Format(closed)}.", nameof(incidentId));
        }
        return incident;
    }

    private static Incident Build(MetadataRecord opened, IEnumerable<MetadataRecord> updates)
    {
        var m = opened.Metadata;
        var incident = new Incident
        {
            Id = opened.Id,
            ModelName = opened.ModelName,
            ModelVersion = opened.ModelVersion,
            // A kind this version does not know (written by a newer one) is judged by the general 15 days.
            Kind = IncidentDeadlines.TryParseKind(GovernanceStore.Text(m, "kind"), out var kind) ? kind : IncidentKind.Other,
            AwareAt = GovernanceStore.Time(m, "aware_at") ?? opened.Timestamp,
            Summary = GovernanceStore.Text(m, "summary") ?? "",
            RecordIds = [opened.Id],
        };
        foreach (var u in updates.OrderBy(r => r.Timestamp).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            var d = u.Metadata;
            incident = incident with { RecordIds = [.. incident.RecordIds, u.Id] };
            if (u.EventType == GovernanceEvents.IncidentClosed)
            {
                incident = incident with { ClosedAt = GovernanceStore.Time(d, "closed_at") ?? u.Timestamp, Resolution = GovernanceStore.Text(d, "resolution") };
                continue;
            }
            if (GovernanceStore.Text(d, "summary") is { } s) incident = incident with { Summary = s };
            if (GovernanceStore.Text(d, "report") is { } report)
            {
                var at = GovernanceStore.Time(d, "reported_at") ?? u.Timestamp;
                incident = incident with
                {
                    FirstReportedAt = incident.FirstReportedAt is { } first && first <= at ? first : at,
                    ReportComplete = incident.ReportComplete || report == "complete",
                };
            }
        }
        return incident;
    }
}
