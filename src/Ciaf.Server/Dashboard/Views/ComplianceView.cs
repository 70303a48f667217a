using Ciaf.Metadata.Compliance;
using Ciaf.Server.Dashboard.Charts;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>A model's compliance page: the stored report and its charts.</summary>
/// <param name="Model">The model.</param>
/// <param name="Report">The report from the stored assessments, or <c>null</c> when the model was never assessed.</param>
/// <param name="Scores">Each framework's score over time.</param>
/// <param name="Fairness">The newest fairness analysis of each kind found in the model's records.</param>
/// <param name="Drift">Drift measures (numeric values named PSI or drift) of the model's monitoring records over time.</param>
/// <param name="DriftLines">Reference lines for the drift chart.</param>
/// <param name="DriftOmitted">Drift series not drawn (the chart keeps the ones with the highest latest value).</param>
public sealed record ComplianceView(string Model, ComplianceReport? Report, IReadOnlyList<ChartSeries> Scores, IReadOnlyList<FairnessPanel> Fairness,
    IReadOnlyList<ChartSeries> Drift, IReadOnlyList<ChartLine> DriftLines, int DriftOmitted);
