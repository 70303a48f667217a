using Ciaf.Metadata.Transfer;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>A verification of the store run from the dashboard: its report, when, by whom.</summary>
/// <param name="Report">What was checked and every issue found.</param>
/// <param name="At">When it finished.</param>
/// <param name="By">Who ran it (the acting user).</param>
public sealed record VerificationRun(VerificationReport Report, DateTimeOffset At, string By);
