namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>The run a step belongs to: its parent run facet's <c>run.runId</c> and <c>job.name</c> (in the same namespace).</summary>
/// <param name="RunId">The parent run's id (a UUID).</param>
/// <param name="JobName">The parent job's name, <c>&lt;model&gt;.&lt;stage&gt;.&lt;event_type&gt;</c>.</param>
internal sealed record LineageParent(string RunId, string JobName);
