using Ciaf.Metadata;
using Ciaf.Metadata.Backends.Remote;
using Ciaf.Server.Authorization;
using Ciaf.Server.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;

namespace Ciaf.Server.Api;

/// <summary>
/// <c>/api/v1/backend/...</c>: what the library's remote backend (<c>storage_backend: remote</c>) asks a server for beyond
/// <c>POST /records</c> — records, compliance events and audit entries as stored, paged by keyset or streamed, store state
/// (legal holds, data subjects' keys) and guarded deletes. The library answers (<see cref="RemoteBackendHost"/>); this
/// maps the routes and checks each operation's right against the caller's role (docs/server.md, "Remote backend").
/// </summary>
internal static class BackendEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var backend = api.MapGroup("/backend").WithTags("Remote backend");

        backend.MapGet("/info", (MetadataStorage storage, CiafServerOptions options) =>
                TypedResults.Bytes(new RemoteBackendHost(storage).Info(options.EffectiveMaxRequestBodyBytes(storage.MaxMetadataBytes)), "application/json"))
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("RemoteBackendInfo")
            .WithSummary("The remote backend's protocol version, the store's backend, whether it keeps a ledger, and the request body limit clients pack writes by.")
            .Produces<byte[]>(contentType: "application/json");

        backend.MapPost("/{operation}", async (string operation, HttpContext context, MetadataStorage storage, IAuthorizationService authorization,
                CancellationToken cancellationToken) =>
            {
                if (!context.Request.HasJsonContentType())
                    throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Send the body as application/json.", "Content-Type");
                var call = await new RemoteBackendHost(storage).ReadCallAsync(operation, context.Request.Body, IsRetry(context.Request), cancellationToken)
                    .ConfigureAwait(false);
                string policy = call.Access switch
                {
                    RemoteAccess.Write => CiafPolicies.Write,
                    RemoteAccess.Audit => CiafPolicies.Audit,
                    RemoteAccess.Admin => CiafPolicies.Admin,
                    _ => CiafPolicies.Read,
                };
                if (!(await authorization.AuthorizeAsync(context.User, policy).ConfigureAwait(false)).Succeeded)
                {
                    throw new RequestProblemException(StatusCodes.Status403Forbidden,
                        $"The remote backend's '{operation}' needs a role with the {call.Access.ToString().ToLowerInvariant()} right ({string.Join(", ", CiafPolicies.Roles[policy])}).");
                }
                context.Response.ContentType = call.ContentType;
                await call.RespondAsync(context.Response.Body, cancellationToken).ConfigureAwait(false);
            })
            .RequireAuthorization(CiafPolicies.Read)
            .WithName("RemoteBackendCall")
            .WithSummary("One operation of the remote backend (get, query, scan, count, delete, delete_unless_guarded, write_events, query_events, "
                + "delete_events, write_audit, query_audit, read_state, read_state_entry, write_state, add_state): a JSON object in, a JSON object out "
                + "(application/x-ndjson for scan). Each needs its own right; 403 otherwise.")
            .Accepts<byte[]>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>Whether the client says it sends this request again (<see cref="RemoteBackendHost.RetryHeader"/>).</summary>
    public static bool IsRetry(HttpRequest request) => request.Headers[RemoteBackendHost.RetryHeader] == "1";
}
