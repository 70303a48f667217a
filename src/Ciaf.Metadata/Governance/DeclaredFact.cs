namespace Ciaf.Metadata.Governance;

/// <summary>A fact only the provider can state (an intended purpose, a hardware description), declared with
/// <see cref="Integration.ModelMetadataManager.LogDeclaredFacts"/> or <c>ciaf docs declare</c>.</summary>
/// <param name="Name">The fact's key, e.g. <c>intended_purpose</c>.</param>
/// <param name="Kind">The shape of its value.</param>
/// <param name="Description">What to write.</param>
/// <param name="UsedBy">Where it appears: Annex IV items (<c>1(a)</c>) and model-card fields (<c>model card: owners</c>).</param>
public sealed record DeclaredFact(string Name, DeclaredFactKind Kind, string Description, IReadOnlyList<string> UsedBy);
