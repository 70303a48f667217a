namespace Ciaf.Metadata.Audit;

/// <summary>The <see cref="AuditEntry.Action"/> values this library writes.</summary>
public static class AuditActions
{
    /// <summary>A record or compliance event was made durable (one entry per item; parent = its id).</summary>
    public const string Save = "save";
    /// <summary>A record was read by id (parent = the id asked for, found or not).</summary>
    public const string Read = "read";
    /// <summary>Records or compliance events were queried (details: the filter and the number of results).</summary>
    public const string Query = "query";
    /// <summary>Records were exported (details: model, format, file, count).</summary>
    public const string Export = "export";
    /// <summary>Records were imported.</summary>
    public const string Import = "import";
    /// <summary>A record or compliance event was removed (parent = its id; details: why, and the cleanup run).</summary>
    public const string Delete = "delete";
    /// <summary>A cleanup run (parent = null; details: run id, trigger, cutoffs, counts, dry run).</summary>
    public const string Cleanup = "cleanup";
    /// <summary>A legal hold was placed (parent = the record for a record hold, else null; details: scope, target, reason).</summary>
    public const string Hold = "hold";
    /// <summary>A legal hold was released (as <see cref="Hold"/>).</summary>
    public const string Release = "release";
    /// <summary>A data subject was erased by destroying its key (details: the subject's reference, the key id, the reason; never the subject's id).</summary>
    public const string EraseSubject = "erase_subject";
    /// <summary>A data subject's records were exported (GDPR Art. 15; details: the subject's reference and the count).</summary>
    public const string ExportSubject = "export_subject";
    /// <summary>An API key was created (parent = null; details: key_id, name, role, expires_at; never the key).</summary>
    public const string ApiKeyCreate = "apikey_create";
    /// <summary>An API key was revoked (as <see cref="ApiKeyCreate"/>).</summary>
    public const string ApiKeyRevoke = "apikey_revoke";
}
