namespace Ciaf.Metadata.Compliance;

/// <summary>One decision, as the <see cref="FairnessMetrics"/> calculator reads it.</summary>
/// <param name="Group">
/// The protected-group value of the subject (e.g. <c>female</c>); for intersectional groups, one name for the combination
/// (<see cref="FairnessCsvReader"/> joins the values with <c>" &amp; "</c>).
/// </param>
/// <param name="Prediction">Whether the model selected the subject (the favourable outcome).</param>
/// <param name="Label">Whether the subject truly qualified (ground truth), if known. Either every observation has a label or none does.</param>
/// <param name="Score">
/// The model's probability that the label is positive, in [0, 1], if known; needs a label. Either every observation has a
/// score or none does. Scores give each group's expected calibration error.
/// </param>
public readonly record struct FairnessObservation(string Group, bool Prediction, bool? Label = null, double? Score = null);
