using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Reads a predictions file — CSV (RFC 4180, through CsvHelper) with a header row, one row per decision — into
/// <see cref="FairnessObservation"/>s for <see cref="FairnessMetrics"/>. Columns are found by their header name; fields are
/// trimmed. Several group columns make intersectional groups, named by their values joined with
/// <see cref="IntersectionSeparator"/> in the order the columns are given (<c>female &amp; 18-25</c>).
/// </summary>
/// <remarks>
/// Every problem is an <see cref="InvalidDataException"/> naming the file, the row (the header is row 1) and the column:
/// an empty file, a file without data rows, a missing or repeated column, a row with the wrong number of fields, an empty
/// group value, a label or prediction that is not binary (<c>0</c>/<c>1</c>, <c>true</c>/<c>false</c>; <c>1.0</c> reads as 1),
/// a score that is not a number in [0, 1], and two different value combinations that would get the same group name.
/// </remarks>
public static class FairnessCsvReader
{
    /// <summary>What joins the values of several group columns into one intersectional group name (<c>" &amp; "</c>).</summary>
    public const string IntersectionSeparator = " & ";

    /// <summary>Reads the observations of a CSV file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="groupColumns">One or more columns holding the protected attributes.</param>
    /// <param name="predictionColumn">The column holding the model's binary decision.</param>
    /// <param name="labelColumn">The column holding the binary ground truth, if any.</param>
    /// <param name="scoreColumn">The column holding the model's probability of a positive label, if any (needs labels).</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">A problem with the file's content (see the remarks of <see cref="FairnessCsvReader"/>).</exception>
    public static IReadOnlyList<FairnessObservation> ReadFile(string path, IReadOnlyList<string> groupColumns, string predictionColumn,
        string? labelColumn = null, string? scoreColumn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Read(reader, groupColumns, predictionColumn, labelColumn, scoreColumn, Path.GetFileName(path));
    }

    /// <summary>Reads the observations of CSV text.</summary>
    /// <param name="reader">The CSV text.</param>
    /// <param name="groupColumns">One or more columns holding the protected attributes.</param>
    /// <param name="predictionColumn">The column holding the model's binary decision.</param>
    /// <param name="labelColumn">The column holding the binary ground truth, if any.</param>
    /// <param name="scoreColumn">The column holding the model's probability of a positive label, if any (needs labels).</param>
    /// <param name="source">How error messages name the input (e.g. the file name).</param>
    /// <exception cref="ArgumentException">No group column, an empty column name, a score column without a label column.</exception>
    /// <exception cref="InvalidDataException">A problem with the content (see the remarks of <see cref="FairnessCsvReader"/>).</exception>
    public static IReadOnlyList<FairnessObservation> Read(TextReader reader, IReadOnlyList<string> groupColumns, string predictionColumn,
        string? labelColumn = null, string? scoreColumn = null, string source = "CSV")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(groupColumns);
        ArgumentException.ThrowIfNullOrEmpty(predictionColumn);
        if (groupColumns.Count == 0) throw new ArgumentException("At least one group column is needed.", nameof(groupColumns));
        if (groupColumns.Any(string.IsNullOrEmpty)) throw new ArgumentException("Group column names must not be empty.", nameof(groupColumns));
        if (scoreColumn is not null && labelColumn is null)
        {
            throw new ArgumentException("A score column needs a label column: calibration compares scores with outcomes.", nameof(scoreColumn));
        }

        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, DetectDelimiter = false };
        using var parser = new CsvParser(reader, config, leaveOpen: true);
        try
        {
            if (!parser.Read() || parser.Record is not { } header || header.All(string.IsNullOrEmpty))
            {
                throw new InvalidDataException($"'{source}' is empty: expected a header row naming the columns, then one row per decision.");
            }
            int[] groups = [.. groupColumns.Select(c => Column(header, c, "group", source))];
            int prediction = Column(header, predictionColumn, "prediction", source);
            int label = labelColumn is null ? -1 : Column(header, labelColumn, "label", source);
            int score = scoreColumn is null ? -1 : Column(header, scoreColumn, "score", source);

            var observations = new List<FairnessObservation>();
            // Group name → the values it was made of, to refuse two combinations that join to the same name.
            var combinations = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var values = new string[groups.Length];
            while (parser.Read())
            {
                var record = parser.Record!;
                int row = parser.Row;
                if (record.Length != header.Length)
                {
                    throw new InvalidDataException($"'{source}' row {row} has {record.Length} fields; the header has {header.Length}.");
                }
                for (int i = 0; i < groups.Length; i++)
                {
                    values[i] = record[groups[i]];
                    if (values[i].Length == 0)
                    {
                        throw new InvalidDataException($"'{source}' row {row}, column '{header[groups[i]]}': the group value is empty; every row needs one.");
                    }
                }
                string group = string.Join(IntersectionSeparator, values);
                if (groups.Length > 1)
                {
                    if (!combinations.TryGetValue(group, out var seen)) combinations[group] = [.. values];
                    else if (!seen.SequenceEqual(values, StringComparer.Ordinal))
                    {
                        throw new InvalidDataException($"'{source}' row {row}: the group values ({string.Join(", ", values.Select(v => $"'{v}'"))}) and an "
                            + $"earlier row's ({string.Join(", ", seen.Select(v => $"'{v}'"))}) both make the group name '{group}'; "
                            + $"rename the values so that none contains '{IntersectionSeparator}'.");
                    }
                }
                observations.Add(new FairnessObservation(group,
                    Binary(record[prediction], header[prediction], row, "prediction", source),
                    label < 0 ? null : Binary(record[label], header[label], row, "label", source),
                    score < 0 ? null : Score(record[score], header[score], row, source)));
            }
            if (observations.Count == 0)
            {
                throw new InvalidDataException($"'{source}' has a header but no data rows.");
            }
            return observations;
        }
        catch (CsvHelperException ex)
        {
            throw new InvalidDataException($"'{source}' row {parser.Row} is not valid CSV: {ex.Message.Split('\n')[0].Trim()}", ex);
        }
    }

    private static int Column(string[] header, string name, string role, string source)
    {
        int found = Array.IndexOf(header, name);
        if (found < 0)
        {
            string? similar = header.FirstOrDefault(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
            throw new InvalidDataException($"'{source}' has no column '{name}' (the {role} column)"
                + (similar is null ? "" : $"; did you mean '{similar}'?")
                + $" Its columns are: {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        }
        if (Array.LastIndexOf(header, name) != found)
        {
            throw new InvalidDataException($"'{source}' has two columns named '{name}' (the {role} column): rename one.");
        }
        return found;
    }

    private static bool Binary(string text, string column, int row, string role, string source)
    {
        if (bool.TryParse(text, out bool b)) return b;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d is 0 or 1) return d == 1;
        throw new InvalidDataException($"'{source}' row {row}, column '{column}': '{text}' is not a binary {role} (expected 0 or 1, true or false).");
    }

    private static double Score(string text, string column, int row, string source)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
        {
            throw new InvalidDataException($"'{source}' row {row}, column '{column}': '{text}' is not a number (a score is a probability in [0, 1]).");
        }
        if (!(d >= 0 && d <= 1))
        {
            throw new InvalidDataException($"'{source}' row {row}, column '{column}': the score {text} is outside [0, 1].");
        }
        return d;
    }
}
