namespace Ciaf.Metadata.Compliance;

/// <summary>The names of the built-in frameworks, as the reference's configuration spells them.</summary>
public static class ComplianceFrameworkNames
{
    /// <summary>EU General Data Protection Regulation.</summary>
    public const string Gdpr = "GDPR";
    /// <summary>US FDA (medical-device AI).</summary>
    public const string Fda = "FDA";
    /// <summary>US Equal Employment Opportunity Commission (hiring).</summary>
    public const string Eeoc = "EEOC";
    /// <summary>US Fair Credit Reporting Act (credit decisions).</summary>
    public const string Fcra = "FCRA";
    /// <summary>US HIPAA Security Rule (45 CFR Part 164, Subpart C).</summary>
    public const string Hipaa = "HIPAA";
    /// <summary>ISO 13485:2016 medical-device quality management.</summary>
    public const string Iso13485 = "ISO_13485";
    /// <summary>The EU AI Act, Regulation (EU) 2024/1689 (high-risk systems' provider obligations).</summary>
    public const string EuAiAct = "EU_AI_ACT";
}
