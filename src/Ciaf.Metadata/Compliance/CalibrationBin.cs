namespace Ciaf.Metadata.Compliance;

/// <summary>
/// One of a group's ten equal-width score bins (<see cref="FairnessMetrics.CalibrationBins"/>): what its expected calibration
/// error is computed from, stored with the group's counts so the error can be recomputed
/// (<see cref="GroupOutcomeCounts.ExpectedCalibrationError"/>).
/// </summary>
/// <param name="Count">Observations whose score falls in the bin.</param>
/// <param name="Positives">Of those, how many have a positive label.</param>
/// <param name="ScoreSum">The sum of their scores.</param>
public readonly record struct CalibrationBin(int Count, int Positives, double ScoreSum);
