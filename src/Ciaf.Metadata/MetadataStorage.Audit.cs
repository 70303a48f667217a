using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata;

// The access audit trail (Audit/AuditTrail). With AuditAllAccess, saves (when durable), reads, queries and exports are
// audited; removals by cleanup and legal-hold changes are always audited, and made durable before the call returns.
public sealed partial class MetadataStorage
{
    /// <summary>The environment variable naming the user in audit entries when none is configured.</summary>
    public const string UserEnvironmentVariable = StoreCore.UserEnvironmentVariable;

    /// <summary>The user written in audit entries and legal holds: <see cref="MetadataStorageOptions.UserId"/>, else <c>CIAF_USER</c>, else the OS user (see <see cref="ActingAs"/> for a per-call user).</summary>
    public string UserId => _core.DefaultUser;

    /// <summary>Whether every access is audited (<see cref="MetadataStorageOptions.AuditAllAccess"/>).</summary>
    public bool AuditAllAccess => _core.Options.AuditAllAccess;

    /// <summary>
    /// The audit trail, newest first by default, filtered by <paramref name="filter"/> (record, action, user,
    /// time range, limit). This instance's buffered writes and audit entries are flushed first, so they are included.
    /// </summary>
    /// <exception cref="MetadataStorageException">Pending audit entries could not be written, or the trail could not be read.</exception>
    public IReadOnlyList<AuditEntry> GetAuditTrail(AuditQuery? filter = null) => SyncOverAsync.Run(GetAuditTrailAsync(filter));

    /// <inheritdoc cref="GetAuditTrail"/>
    public ValueTask<IReadOnlyList<AuditEntry>> GetAuditTrailAsync(AuditQuery? filter = null, CancellationToken cancellationToken = default)
        => _auditTrail.GetAsync(filter, FlushAsync, cancellationToken);

    /// <summary>The formats <see cref="ExportAuditTrail"/> writes: <c>json</c>, <c>jsonl</c>, <c>csv</c>.</summary>
    public static IReadOnlyList<string> AuditExportFormats => AuditTrail.ExportFormats;

    /// <summary>
    /// Exports the audit trail (oldest first, filtered by <paramref name="filter"/>) to a new file under
    /// <c>&lt;store&gt;/exports/</c> (<c>audit_trail_&lt;time&gt;.&lt;format&gt;</c>, never colliding) or to
    /// <paramref name="outputPath"/>. Each entry is <c>{id, parent_id, action, timestamp, user_id, details}</c>,
    /// the <c>audit_trail</c> columns; CSV cells a spreadsheet would run as formulas are neutralized.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown format.</exception>
    public string ExportAuditTrail(string format = "jsonl", string? outputPath = null, AuditQuery? filter = null) =>
        SyncOverAsync.Run(ExportAuditTrailAsync(format, outputPath, filter));

    /// <inheritdoc cref="ExportAuditTrail"/>
    public ValueTask<string> ExportAuditTrailAsync(string format = "jsonl", string? outputPath = null, AuditQuery? filter = null,
        CancellationToken cancellationToken = default)
        => _auditTrail.ExportAsync(format, outputPath, filter, FlushAsync, cancellationToken);
}
