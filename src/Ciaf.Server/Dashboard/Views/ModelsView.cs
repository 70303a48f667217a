namespace Ciaf.Server.Dashboard.Views;

/// <summary>The models overview.</summary>
/// <param name="Models">Every model, by name.</param>
/// <param name="Threshold">The compliance pass mark used.</param>
public sealed record ModelsView(IReadOnlyList<ModelOverview> Models, double Threshold);
