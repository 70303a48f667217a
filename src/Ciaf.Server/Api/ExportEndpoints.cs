using Ciaf.Metadata;
using Ciaf.Server.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;

namespace Ciaf.Server.Api;

/// <summary>
/// <c>GET /api/v1/export</c>: the records (all, or those matching <c>filter</c>) streamed into the response in constant
/// memory — jsonl and csv straight from the store's scan; parquet, whose writer must seek, through a temporary file
/// deleted when the response ends. A failure after the first byte aborts the connection, so a client never takes a
/// cut-off export for a whole one.
/// </summary>
internal static class ExportEndpoints
{
    /// <summary>The formats served.</summary>
    public static readonly IReadOnlyList<string> Formats = ["jsonl", "csv", "parquet"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/export", async (HttpContext context, MetadataStorage storage, CancellationToken cancellationToken) =>
            {
                string format = QueryValues.Choice(context.Request, "format", Formats, "jsonl");
                string? filter = QueryValues.Text(context.Request, "filter");
                var response = context.Response;
                response.ContentType = format switch
                {
                    "csv" => "text/csv; charset=utf-8",
                    "parquet" => "application/vnd.apache.parquet",
                    _ => "application/x-ndjson; charset=utf-8",
                };
                response.Headers.ContentDisposition = $"attachment; filename=\"ciaf_export.{format}\"";
                context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                try
                {
                    if (format == "parquet") await ExportParquetAsync(storage, response, filter, cancellationToken).ConfigureAwait(false);
                    else await ExportAsync(storage, response.Body, filter, format, cancellationToken).ConfigureAwait(false);
                }
                catch when (response.HasStarted)
                {
                    context.Abort();
                    throw;
                }
            })
            .RequireAuthorization(CiafPolicies.Audit)
            .WithTags("Export")
            .WithName("Export")
            .WithSummary("Stream the records (those matching `filter`, if given) as `format` jsonl (default), csv or parquet; records as stored (encrypted values stay encrypted).")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static ValueTask ExportAsync(MetadataStorage storage, Stream destination, string? filter, string format, CancellationToken cancellationToken) =>
        filter is null
            ? storage.ExportMetadataToAsync(destination, null, format, cancellationToken: cancellationToken)
            : storage.ExportSearchToAsync(destination, filter, format, cancellationToken: cancellationToken);

    private static async Task ExportParquetAsync(MetadataStorage storage, HttpResponse response, string? filter, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Path.GetTempPath(), "ciaf-export-" + Guid.NewGuid().ToString("N") + ".parquet");
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await ExportAsync(storage, file, filter, "parquet", cancellationToken).ConfigureAwait(false);
        response.ContentLength = file.Length;
        file.Position = 0;
        await file.CopyToAsync(response.Body, cancellationToken).ConfigureAwait(false);
    }
}
