using Ciaf.Metadata;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Storage;
using Ciaf.Server.Api;
using Ciaf.Server.Authentication;
using Ciaf.Server.Authorization;
using Ciaf.Server.Dashboard.Pages;
using Ciaf.Server.Dashboard.Views;
using Ciaf.Server.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ciaf.Server.Dashboard;

/// <summary>
/// The dashboard's pages. Each reads the store through the facade (the acting user is the signed-in person, so the
/// audit trail records who looked) and renders a Razor component on the server; every page needs <c>ciaf.read</c>, the
/// audit trail and running a verification <c>ciaf.audit</c>.
/// </summary>
internal static class DashboardPageEndpoints
{
    /// <summary>Records per search page unless the form says.</summary>
    public const int DefaultPageSize = 25;

    /// <summary>The most events or audit entries one page lists.</summary>
    public const int MaxListed = 500;

    /// <summary>The filter an empty search box stands for.</summary>
    public const string EveryRecord = RecordEndpoints.EveryRecord;

    private static readonly IReadOnlyList<int> PageSizes = [10, 25, 50, 100];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var pages = endpoints.MapGroup(DashboardPaths.Root).RequireAuthorization(CiafPolicies.Read).ExcludeFromDescription();

        pages.MapGet("/", async (HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
            await DashboardResults.PageAsync<ModelsPage, ModelsView>(context,
                await ModelOverviewBuilder.BuildAsync(storage, cancellationToken).ConfigureAwait(false), "models").ConfigureAwait(false));

        pages.MapGet("/models/{model}", async Task<IResult> (string model, HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
            await PipelineViewBuilder.BuildAsync(storage, model, cancellationToken).ConfigureAwait(false) is { } view
                ? await DashboardResults.PageAsync<PipelinePage, PipelineView>(context, view, "models").ConfigureAwait(false)
                : await NoModelAsync(context, model).ConfigureAwait(false));

        pages.MapGet("/models/{model}/compliance", async Task<IResult> (string model, HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
            await ComplianceViewBuilder.BuildAsync(storage, model, cancellationToken).ConfigureAwait(false) is { } view
                ? await DashboardResults.PageAsync<CompliancePage, ComplianceView>(context, view, "models").ConfigureAwait(false)
                : await NoModelAsync(context, model).ConfigureAwait(false));

        pages.MapGet("/records/{id}", async Task<IResult> (string id, HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
        {
            if (await FindAsync(storage, id, cancellationToken).ConfigureAwait(false) is not { } record) return await NoRecordAsync(context, id).ConfigureAwait(false);
            var events = await storage.GetComplianceEventsAsync(new ComplianceEventQuery { MetadataId = record.Id }, cancellationToken).ConfigureAwait(false);
            var receipt = await ReceiptChecker.CheckAsync(storage, record.Id, cancellationToken).ConfigureAwait(false);
            return await DashboardResults.PageAsync<RecordPage, RecordView>(context, new RecordView(record, events, receipt), "search").ConfigureAwait(false);
        });

        pages.MapGet("/records/{id}/receipt.json", async Task<IResult> (string id, HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
        {
            if (await FindAsync(storage, id, cancellationToken).ConfigureAwait(false) is not { } record) return await NoRecordAsync(context, id).ConfigureAwait(false);
            var check = await ReceiptChecker.CheckAsync(storage, record.Id, cancellationToken).ConfigureAwait(false);
            if (check.Receipt is not { } receipt)
                return await DashboardResults.ErrorAsync(context, StatusCodes.Status404NotFound, "No receipt", check.Problem ?? "The ledger holds no receipt for this record.").ConfigureAwait(false);
            return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(receipt.ToJson()), "application/json", $"{record.Id}.receipt.json");
        });

        pages.MapGet("/ledger/public-key.pem", async Task<IResult> (HttpContext context, MetadataStorage storage) =>
            storage.Ledger.PublicKeyPem() is { } pem
                ? TypedResults.File(System.Text.Encoding.ASCII.GetBytes(pem), "application/x-pem-file", "ledger_public.pem")
                : await DashboardResults.ErrorAsync(context, StatusCodes.Status404NotFound, "No ledger key",
                    "The server has no ledger key configured (ledger_key_path); ask whoever runs the store for the log's public key.").ConfigureAwait(false));

        pages.MapGet("/search", async Task<IResult> (HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
        {
            var view = await SearchAsync(context.Request, storage, cancellationToken).ConfigureAwait(false);
            return await DashboardResults.PageAsync<RecordSearchPage, SearchView>(context, view, "search",
                view.Error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest).ConfigureAwait(false);
        });

        pages.MapGet("/compliance-events", async Task<IResult> (HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
        {
            string? framework = Text(context.Request, "framework");
            string? filter = Text(context.Request, "filter");
            IReadOnlyList<ComplianceEvent> events = [];
            FilterError? error = null;
            try
            {
                events = filter is not null
                    ? await storage.SearchComplianceEventsAsync(framework is null ? filter : $"({filter}) AND {DashboardPaths.FieldIs("framework", framework)}", MaxListed, cancellationToken).ConfigureAwait(false)
                    : await storage.GetComplianceEventsAsync(new ComplianceEventQuery { Framework = framework, Limit = MaxListed }, cancellationToken).ConfigureAwait(false);
            }
            catch (FilterSyntaxException e)
            {
                error = new FilterError($"Invalid filter: {e.Reason} (column {e.Column}).", e.Caret);
            }
            var frameworks = events.Select(e => e.Framework).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return await DashboardResults.PageAsync<EventsPage, EventsView>(context, new EventsView(framework, filter, MaxListed, frameworks, events, error), "events",
                error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest).ConfigureAwait(false);
        });

        pages.MapGet("/audit", async Task<IResult> (HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
        {
            string? recordId = Text(context.Request, "record_id");
            var query = new AuditQuery
            {
                ParentId = recordId,
                Action = Text(context.Request, "action"),
                UserId = Text(context.Request, "user"),
                Limit = MaxListed,
            };
            var entries = await storage.GetAuditTrailAsync(query, cancellationToken).ConfigureAwait(false);
            return await DashboardResults.PageAsync<AuditPage, AuditView>(context, new AuditView(query.ParentId, query.Action, query.UserId, MaxListed, entries), "audit").ConfigureAwait(false);
        }).RequireAuthorization(CiafPolicies.Audit);

        pages.MapGet("/health", async (HttpContext context, MetadataStorage storage, StoreVerifications verifications, CancellationToken cancellationToken) =>
            await DashboardResults.PageAsync<HealthPage, HealthView>(context,
                await HealthAsync(context, storage, verifications, cancellationToken).ConfigureAwait(false), "health").ConfigureAwait(false));

        pages.MapPost("/health/verify", async Task<IResult> (HttpContext context, MetadataStorage storage, StoreVerifications verifications, CancellationToken cancellationToken) =>
        {
            if (await DashboardForms.ReadValidatedAsync(context).ConfigureAwait(false) is null) return await DashboardForms.RefusedAsync(context).ConfigureAwait(false);
            string by = context.User.FindFirst(CiafClaimTypes.Actor)?.Value ?? "unknown";
            await verifications.RunAsync(async ct => new VerificationRun(await storage.VerifyAsync(null, ct).ConfigureAwait(false), DateTimeOffset.UtcNow, by),
                cancellationToken).ConfigureAwait(false);
            // Post/redirect/get: a reload of the health page does not run it again.
            return TypedResults.Redirect(DashboardPaths.Health + "#verification");
        }).RequireAuthorization(CiafPolicies.Audit);
    }

    private static async Task<SearchView> SearchAsync(HttpRequest request, MetadataStorage storage, CancellationToken cancellationToken)
    {
        string filter = Text(request, "filter") ?? string.Empty;
        string orderBy = Text(request, "order_by") ?? "timestamp desc";
        string? cursor = Text(request, "cursor");
        int limit = int.TryParse(Text(request, "limit"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int l) && PageSizes.Contains(l)
            ? l : DefaultPageSize;
        try
        {
            var (field, descending) = SearchOrderText.Parse(orderBy);
            var options = new SearchOptions { OrderBy = field, Descending = descending, Limit = limit, Cursor = cursor };
            // An empty box lists every record (the search language has no empty filter).
            string effective = filter.Length == 0 ? EveryRecord : filter;
            var page = await storage.SearchAsync(effective, options, cancellationToken).ConfigureAwait(false);
            long total = await storage.CountAsync(effective, options with { Cursor = null }, cancellationToken).ConfigureAwait(false);
            return new SearchView(filter, orderBy, limit, cursor, page.Records, page.NextCursor, total, null);
        }
        catch (FilterSyntaxException e)
        {
            return new SearchView(filter, orderBy, limit, cursor, [], null, null, new FilterError($"Invalid filter: {e.Reason} (column {e.Column}).", e.Caret));
        }
        catch (RequestProblemException e)
        {
            return new SearchView(filter, orderBy, limit, cursor, [], null, null, new FilterError(e.Message, null));
        }
        catch (ArgumentException e)
        {
            // A cursor from another search, or one that was edited.
            return new SearchView(filter, orderBy, limit, cursor, [], null, null, new FilterError(e.Message, null));
        }
    }

    private static async Task<HealthView> HealthAsync(HttpContext context, MetadataStorage storage, StoreVerifications verifications, CancellationToken cancellationToken)
    {
        var metrics = await storage.GetPerformanceMetricsAsync(cancellationToken).ConfigureAwait(false);
        var events = await storage.GetComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false);
        Metadata.Ledger.LedgerStatus? ledger = null;
        string? problem = null;
        try
        {
            ledger = await storage.Ledger.StatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            problem = e.Message;
        }
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        bool canVerify = (await authorization.AuthorizeAsync(context.User, CiafPolicies.Audit).ConfigureAwait(false)).Succeeded;
        return new HealthView(storage.Backend, metrics.RecordCount, events.Count, metrics.TotalSizeMb, ledger, problem,
            storage.Ledger.PublicKeyPem() is not null, verifications.Latest, canVerify);
    }

    // The record ids the API accepts (RecordIds); anything else is simply not found here.
    private static async Task<MetadataRecord?> FindAsync(MetadataStorage storage, string id, CancellationToken cancellationToken)
    {
        try
        {
            RecordIds.Check(id);
        }
        catch (RequestProblemException)
        {
            return null;
        }
        return await storage.GetMetadataAsync(id, cancellationToken).ConfigureAwait(false);
    }

    private static Task<Microsoft.AspNetCore.Http.HttpResults.RazorComponentResult<ErrorPage>> NoModelAsync(HttpContext context, string model) =>
        DashboardResults.ErrorAsync(context, StatusCodes.Status404NotFound, "No such model", $"The store holds no records of the model '{model}'.");

    private static Task<Microsoft.AspNetCore.Http.HttpResults.RazorComponentResult<ErrorPage>> NoRecordAsync(HttpContext context, string id) =>
        DashboardResults.ErrorAsync(context, StatusCodes.Status404NotFound, "No such record", $"The store holds no record with the id '{id}'.");

    private static string? Text(HttpRequest request, string name) =>
        request.Query[name].FirstOrDefault() is { } value && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;
}
