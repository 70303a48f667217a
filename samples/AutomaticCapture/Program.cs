using Ciaf.Metadata;
using Ciaf.Metadata.Capture;

// Captures go to the process-wide default store (MetadataStorage.Default); pass storage: to choose another.
string path = Path.GetFullPath("applications.csv");
File.WriteAllLines(path, ["income,debt", "52000,1200", "-1,300", "61000,900", "47000,", "39000,450"]);
string api_key = "sk-sample-not-a-real-key";

using (var capture = new MetadataCapture("my_model", "inference", "batch_prediction"))
{
    capture.AddMetadata("batch_size", 1000);
    capture.UpdateMetadata(new { predictions_made = 1000 });
}   // saved with execution_time, trace_id and span_id

var cleaned = MetadataCapture.Run("my_model", "preprocessing", "data_cleaning",
    () => CleanData(path), parameters: new { path, api_key });      // api_key is stored as "[REDACTED]"

try
{
    using (var capture = new MetadataCapture("my_model", "training", "model_fit"))
    {
        try { Fit(cleaned); }
        catch (Exception ex) when (capture.RecordError(ex)) { }       // saved as model_fit_error, then rethrown
    }
}
catch (InvalidOperationException e)
{
    Console.WriteLine($"fit failed as expected: {e.Message}");
}

IPreprocessor p = MetadataCapture.Intercept<IPreprocessor>(new Preprocessor());   // every call captured (sync, Task, ValueTask)
p.Clean(path, removeOutliers: true);

MetadataStorage.Default.Flush();
foreach (var stage in MetadataStorage.Default.GetPipelineTrace("my_model").Stages)
{
    foreach (var entry in stage.Entries)
    {
        Console.WriteLine($"{stage.Stage}/{entry.EventType}: {entry.Metadata.ToJsonString()}");
    }
}

// Drops rows with a missing or negative value.
static Data CleanData(string path)
{
    var rows = File.ReadLines(path).Skip(1)
        .Select(line => line.Split(','))
        .Where(cells => cells.All(c => double.TryParse(c, System.Globalization.CultureInfo.InvariantCulture, out double v) && v >= 0))
        .Select(cells => cells.Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
        .ToList();
    return new Data(rows);
}

// The model needs more rows than this sample has: the failure is captured and rethrown.
static void Fit(Data data)
{
    if (data.Rows.Count < 10) throw new InvalidOperationException($"{data.Rows.Count} rows are too few to fit the model (10 at least).");
}

public interface IPreprocessor { [CaptureMetadata("my_model", "preprocessing", "data_cleaning")] Data Clean(string path, bool removeOutliers); }

public sealed record Data(IReadOnlyList<double[]> Rows);

public sealed class Preprocessor : IPreprocessor
{
    public Data Clean(string path, bool removeOutliers)
    {
        var rows = File.ReadLines(path).Skip(1).Where(line => !line.Contains('-', StringComparison.Ordinal) && !line.EndsWith(',')).ToList();
        return new Data([.. rows.Select(r => r.Split(',').Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray())]);
    }
}
