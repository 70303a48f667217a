namespace Ciaf.Metadata.Backends.Remote;

/// <summary>
/// The right a remote backend's operation needs on the server (<see cref="RemoteBackendCall.Access"/>), matching the
/// server's roles (<see cref="Access.AccessRoles"/>): the server refuses a call whose identity lacks it (403).
/// </summary>
public enum RemoteAccess
{
    /// <summary>Reading records, compliance events and store state; appending audit entries of one's own reads. Every role.</summary>
    Read,

    /// <summary>Writing records and compliance events, creating a data subject's key. Writer and admin.</summary>
    Write,

    /// <summary>Reading the audit trail. Auditor and admin.</summary>
    Audit,

    /// <summary>Deleting (cleanup), legal holds, erasing a data subject. Admin.</summary>
    Admin,
}
