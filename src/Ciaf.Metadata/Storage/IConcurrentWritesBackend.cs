namespace Ciaf.Metadata.Storage;

/// <summary>
/// A backend capability: two writes (<see cref="IMetadataBackend.WriteAsync"/>,
/// <see cref="IComplianceEventStore.WriteComplianceEventsAsync"/>) may run at once, each in a transaction of its own on
/// a connection of its own (PostgreSQL). The buffered writer then starts a batch while the one before it is still being
/// written — the second's rows travel while the first commits, and the server works on both — unless the two share a
/// record or event id, which are written one after the other so the later save wins.
/// </summary>
internal interface IConcurrentWritesBackend;
