using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Search;

/// <summary>
/// The search service: parses and checks a filter, has the backend evaluate it where the data lives
/// (<see cref="ISearchBackend"/>) or evaluates it in memory, merges this instance's pending writes in order, pages by
/// keyset cursor, decrypts and audits. Searches see metadata as stored: encrypted values are markers.
/// </summary>
internal sealed class RecordSearch(StoreCore core, AuditTrail auditTrail)
{
    /// <summary>One page of the records matching <paramref name="filter"/>.</summary>
    public async ValueTask<SearchPage> PageAsync(string filter, SearchOptions? options, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        var plan = MakePlan(filter, options ??= new SearchOptions());
        int? limit = options.Limit == 0 ? null : options.Limit;
        var records = new List<MetadataRecord>();
        OrderKey? last = null;
        bool more = false;
        await foreach (var (record, key) in MatchesAsync(plan, limit is { } l ? l + 1 : null, decrypt: true, cancellationToken).ConfigureAwait(false))
        {
            if (records.Count == limit)
            {
                more = true;
                break;
            }
            records.Add(record);
            last = key;
        }
        if (core.Options.AuditAllAccess) auditTrail.Search(filter, records.Count);
        core.Metrics.RecordRead(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        string? next = more && last is { } k ? new SearchCursor(k, plan.Now, plan.Fingerprint).Encode() : null;
        return new SearchPage(records, next);
    }

    /// <summary>Every record matching <paramref name="filter"/> (from the cursor on, when one is given), streamed in order.</summary>
    public async IAsyncEnumerable<MetadataRecord> StreamAsync(string filter, SearchOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var plan = MakePlan(filter, options ?? new SearchOptions());
        int results = 0;
        try
        {
            await foreach (var (record, _) in MatchesAsync(plan, null, decrypt: true, cancellationToken).ConfigureAwait(false))
            {
                results++;
                yield return record;
            }
        }
        finally
        {
            if (core.Options.AuditAllAccess) auditTrail.Search(filter, results);
        }
    }

    /// <summary>How many records match <paramref name="filter"/>, pending writes included.</summary>
    public async ValueTask<long> CountAsync(string filter, SearchOptions? options, CancellationToken cancellationToken)
    {
        core.ThrowIfDisposed();
        var node = FilterParser.Parse(filter, FilterSchema.Records, options?.Limits, NowOf(options));
        long count = 0;
        if (core.Backend is ISearchBackend backend && core.Pending.Count == 0)
        {
            count = await backend.CountAsync(node, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Pending writes may reach the backend while we count: the merged stream counts each record exactly once.
            var plan = new Plan(node, SearchOrder.Default, null, default, "");
            await foreach (var _ in MatchesAsync(plan, null, decrypt: false, cancellationToken).ConfigureAwait(false)) count++;
        }
        if (core.Options.AuditAllAccess) auditTrail.Search(filter, (int)Math.Min(count, int.MaxValue));
        return count;
    }

    /// <summary>Compliance events matching <paramref name="filter"/> (over their fields), newest first, pending writes included.</summary>
    public async ValueTask<IReadOnlyList<ComplianceEvent>> ComplianceEventsAsync(string filter, int? limit, FilterLimits? limits, CancellationToken cancellationToken)
    {
        core.ThrowIfDisposed();
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must not be negative.");
        var node = FilterParser.Parse(filter, FilterSchema.ComplianceEvents, limits, PythonNow());
        // Compliance events are few next to records: evaluated in memory over the backend's (paged) query.
        var query = new ComplianceEventQuery();
        var result = core.Pending.Matching(query).Where(e => FilterEvaluator.Matches(node, e)).ToList();
        var seen = result.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        await foreach (var ev in core.Events.QueryComplianceEventsAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add(ev.Id) && FilterEvaluator.Matches(node, ev)) result.Add(ev);
        }
        result.Sort(ComplianceEventQuery.Compare);
        if (limit is { } l && result.Count > l) result.RemoveRange(l, result.Count - l);
        if (core.Options.AuditAllAccess) auditTrail.Search(filter, result.Count);
        return result;
    }

    private sealed record Plan(FilterNode Filter, SearchOrder Order, OrderKey? After, DateTimeOffset Now, string Fingerprint);

    private DateTimeOffset PythonNow() => Hashing.PythonTimestamp.Now(core.Clock);

    private DateTimeOffset NowOf(SearchOptions? options) => options?.Now is { } now ? Hashing.PythonTimestamp.Truncate(now) : PythonNow();

    private Plan MakePlan(string filter, SearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(filter);
        core.ThrowIfDisposed();
        if (options.Limit < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Limit, "SearchOptions.Limit must not be negative.");
        var order = new SearchOrder(FilterParser.ParseField(options.OrderBy, FilterSchema.Records), options.Descending);
        string fingerprint = SearchCursor.FingerprintOf(filter, order);
        var cursor = options.Cursor is { } text ? SearchCursor.Decode(text, fingerprint) : null;
        var now = cursor?.Now ?? NowOf(options);
        var node = FilterParser.Parse(filter, FilterSchema.Records, options.Limits, now);
        return new Plan(node, order, cursor?.After, now, fingerprint);
    }

    // The matches in order with their keys, decrypted: the backend's (or the in-memory evaluation's), pending writes merged in.
    private async IAsyncEnumerable<(MetadataRecord Record, OrderKey Key)> MatchesAsync(Plan plan, int? limitHint, bool decrypt,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Func<MetadataRecord, MetadataRecord> output = decrypt ? core.Decrypt : r => r;
        if (core.Backend is not ISearchBackend backend)
        {
            foreach (var (record, key) in await InMemoryAsync(plan, cancellationToken).ConfigureAwait(false)) yield return (output(record), key);
            yield break;
        }
        var pending = core.Pending.Matching(new MetadataQuery())
            .Where(r => FilterEvaluator.Matches(plan.Filter, r))
            .Select(r => (Record: r, Key: KeyOf(plan.Order, r)))
            .Where(p => plan.After is not { } after || plan.Order.Compare(p.Key, after) > 0)
            .OrderBy(p => p.Key, Comparer<OrderKey>.Create(plan.Order.Compare))
            .ToList();
        var pendingIds = pending.Select(p => p.Record.Id).ToHashSet(StringComparer.Ordinal);
        int next = 0;
        int? hint = limitHint is { } h ? h + pending.Count : null;
        await foreach (var record in backend.SearchAsync(plan.Filter, plan.Order, plan.After, hint, cancellationToken).ConfigureAwait(false))
        {
            if (pendingIds.Contains(record.Id)) continue;
            var key = KeyOf(plan.Order, record);
            while (next < pending.Count && plan.Order.Compare(pending[next].Key, key) < 0)
            {
                var p = pending[next++];
                yield return (output(p.Record), p.Key);
            }
            yield return (output(record), key);
        }
        while (next < pending.Count)
        {
            var p = pending[next++];
            yield return (output(p.Record), p.Key);
        }
    }

    private async ValueTask<List<(MetadataRecord Record, OrderKey Key)>> InMemoryAsync(Plan plan, CancellationToken cancellationToken)
    {
        var matches = new List<(MetadataRecord Record, OrderKey Key)>();
        await foreach (var record in core.QueryStoredAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            if (!FilterEvaluator.Matches(plan.Filter, record)) continue;
            var key = KeyOf(plan.Order, record);
            if (plan.After is { } after && plan.Order.Compare(key, after) <= 0) continue;
            matches.Add((record, key));
        }
        matches.Sort((a, b) => plan.Order.Compare(a.Key, b.Key));
        return matches;
    }

    private static OrderKey KeyOf(SearchOrder order, MetadataRecord record) => SearchOrder.KeyOf(FilterEvaluator.Resolve(record, order.Field), record.Id);
}
