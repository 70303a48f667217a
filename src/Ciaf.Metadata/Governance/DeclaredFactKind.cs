namespace Ciaf.Metadata.Governance;

/// <summary>The shape a declared fact's value must have.</summary>
public enum DeclaredFactKind
{
    /// <summary>A non-empty string, or an array of non-empty strings.</summary>
    Text,
    /// <summary>An array of owners: <c>{"name": …, "contact": …}</c> objects (contact optional) or plain names.</summary>
    Owners,
    /// <summary>An array of risks: <c>{"name": …, "mitigation_strategy": …}</c> objects (mitigation optional) or plain names.</summary>
    Risks,
    /// <summary>An array of absolute URIs (strings).</summary>
    Links,
}
