namespace Ciaf.Metadata.Compliance;

/// <summary>One decision, as the <see cref="FairnessMetrics"/> calculator reads it.</summary>
/// <param name="Group">The protected-group value of the subject (e.g. <c>female</c>).</param>
/// <param name="Prediction">Whether the model selected the subject (the favourable outcome).</param>
/// <param name="Label">Whether the subject truly qualified (ground truth), if known. Either every observation has a label or none does.</param>
public readonly record struct FairnessObservation(string Group, bool Prediction, bool? Label = null);
