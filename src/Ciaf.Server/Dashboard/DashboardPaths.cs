using Microsoft.AspNetCore.WebUtilities;

namespace Ciaf.Server.Dashboard;

/// <summary>The dashboard's URLs, and the links its pages build (every value escaped).</summary>
public static class DashboardPaths
{
    /// <summary>Where the dashboard lives: the models overview.</summary>
    public const string Root = "/dashboard";

    /// <summary>The sign-in page (API key form; OIDC button when configured).</summary>
    public const string SignIn = Root + "/sign-in";

    /// <summary>Starts OIDC sign-in (a redirect to the provider).</summary>
    public const string SignInOidc = Root + "/sign-in/oidc";

    /// <summary>Where the OIDC provider sends the browser back (the handler's callback).</summary>
    public const string OidcCallback = Root + "/signin-oidc";

    /// <summary>The page an OIDC sign-in lands on before the page asked for (see <c>SignInEndpoints</c>).</summary>
    public const string SignedIn = Root + "/signed-in";

    /// <summary>Signs out (a form post).</summary>
    public const string SignOut = Root + "/sign-out";

    /// <summary>Search over records.</summary>
    public const string Search = Root + "/search";

    /// <summary>Compliance events.</summary>
    public const string Events = Root + "/compliance-events";

    /// <summary>The access audit trail (auditor, admin).</summary>
    public const string Audit = Root + "/audit";

    /// <summary>Store health: counts, ledger, verification.</summary>
    public const string Health = Root + "/health";

    /// <summary>Runs a verification of the store (a form post; auditor, admin).</summary>
    public const string Verify = Root + "/health/verify";

    /// <summary>The ledger's public key (PEM), to check receipts offline.</summary>
    public const string PublicKey = Root + "/ledger/public-key.pem";

    /// <summary>The style sheet (print rules included).</summary>
    public const string StyleSheet = Root + "/static/dashboard.css";

    /// <summary>A model's pipeline timeline.</summary>
    public static string Model(string model) => $"{Root}/models/{Uri.EscapeDataString(model)}";

    /// <summary>A model's compliance report and charts.</summary>
    public static string Compliance(string model) => $"{Model(model)}/compliance";

    /// <summary>A record.</summary>
    public static string Record(string id) => $"{Root}/records/{Uri.EscapeDataString(id)}";

    /// <summary>A record's ledger receipt as a JSON download.</summary>
    public static string Receipt(string id) => $"{Record(id)}/receipt.json";

    /// <summary>The search page for <paramref name="filter"/> (and a cursor, for a later page).</summary>
    public static string SearchFor(string filter, string? orderBy = null, string? cursor = null, int? limit = null)
    {
        var query = new Dictionary<string, string?> { ["filter"] = filter };
        if (!string.IsNullOrEmpty(orderBy)) query["order_by"] = orderBy;
        if (limit is not null) query["limit"] = limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(cursor)) query["cursor"] = cursor;
        return QueryHelpers.AddQueryString(Search, query);
    }

    /// <summary>A filter selecting <paramref name="field"/> = <paramref name="value"/> (quotes doubled).</summary>
    public static string FieldIs(string field, string value) => $"{field} = '{value.Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary>
    /// <paramref name="returnUrl"/> when it is a path on this server (<c>/...</c>, not <c>//host</c> or <c>/\host</c>),
    /// else the dashboard's root: a sign-in never redirects elsewhere.
    /// </summary>
    public static string LocalOrRoot(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl)
            ? url
            : Root;
}
