using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf fairness FILE.csv</c>: Fairlearn's group fairness metrics of a predictions file, each with a seeded
/// percentile-bootstrap confidence interval (<c>FairnessCsvReader</c> + <c>FairnessMetrics</c>); <c>--record MODEL</c>
/// stores the result as a <c>validation</c>/<c>fairness_assessment</c> record. Needs no store unless it records.
/// </summary>
internal static class FairnessCommand
{
    public static Command Create(CliApp app)
    {
        var file = new Argument<string>("file") { Description = "The predictions: a CSV file with a header row, one row per decision." };
        var groups = new Option<string[]>("--group", "-g")
        {
            Description = "A column holding a protected attribute; repeat it for intersectional groups, named by their values joined with ' & ' in the order given (female & 18-25).",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            HelpName = "column",
        };
        var label = new Option<string>("--label", "-l") { Description = "The column holding the true outcome (0/1 or true/false).", Required = true, HelpName = "column" };
        var prediction = new Option<string>("--prediction", "-p") { Description = "The column holding the model's decision (0/1 or true/false; 1 is the favourable outcome).", Required = true, HelpName = "column" };
        var score = new Option<string?>("--score") { Description = "The column holding the model's probability of a positive label, in [0, 1]: adds each group's expected calibration error.", HelpName = "column" };
        var bootstrap = new Option<int>("--bootstrap")
        {
            Description = "Bootstrap samples for the confidence intervals (n_boot); 0 for point estimates only.",
            DefaultValueFactory = _ => FairnessOptions.DefaultBootstrapSamples,
            HelpName = "n",
        };
        bootstrap.AtLeast(0).AtMost(FairnessOptions.MaxBootstrapSamples);
        var ci = new Option<double>("--ci") { Description = "The intervals' confidence level, strictly between 0 and 1.", DefaultValueFactory = _ => FairnessOptions.DefaultConfidenceLevel };
        ci.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !(v > 0 && v < 1))
                result.AddError($"--ci must be strictly between 0 and 1 (e.g. 0.95); got {result.Tokens[0].Value}.");
        });
        var seed = new Option<int>("--seed") { Description = "The seed of the resampling: the same file, options and seed give the same intervals.", DefaultValueFactory = _ => FairnessOptions.DefaultSeed };
        var minimum = new Option<int>("--min-group-size")
        {
            Description = "Groups with fewer rows are flagged as too small to judge and left out of every metric.",
            DefaultValueFactory = _ => FairnessMetrics.DefaultMinimumGroupSize,
            HelpName = "n",
        };
        minimum.AtLeast(0);
        var record = new Option<string?>("--record") { Description = "Record the result for this model, as a validation-stage fairness_assessment record (prints its id).", HelpName = "model" };
        var version = new Option<string?>("--model-version") { Description = "With --record: the model version (default 1.0.0)." };
        var command = new Command("fairness",
            "Group fairness of a predictions file (Fairlearn's metrics, the four-fifths rule, calibration by group), each with a bootstrap confidence interval.")
        {
            file, groups, label, prediction, score, bootstrap, ci, seed, minimum, record, version,
        };
        app.Bind(command, async (context, parse) =>
        {
            string path = context.Host.FullPath(parse.GetRequiredValue(file));
            if (!File.Exists(path)) throw new CliException($"No such file: '{path}'.");
            string[] groupColumns = parse.GetRequiredValue(groups);
            string labelColumn = parse.GetRequiredValue(label), predictionColumn = parse.GetRequiredValue(prediction);
            string? scoreColumn = parse.GetValue(score);
            var observations = FairnessCsvReader.ReadFile(path, groupColumns, predictionColumn, labelColumn, scoreColumn);
            var options = new FairnessOptions
            {
                BootstrapSamples = parse.GetValue(bootstrap),
                ConfidenceLevel = parse.GetValue(ci),
                Seed = parse.GetValue(seed),
                MinimumGroupSize = parse.GetValue(minimum),
            };
            var report = FairnessMetrics.Compute(observations, options, context.CancellationToken);
            var document = Document(report, new JsonObject
            {
                ["file"] = Path.GetFileName(path),
                ["sha256"] = await Sha256Async(path, context.CancellationToken).ConfigureAwait(false),
                ["rows"] = observations.Count,
                ["sensitive_features"] = new JsonArray([.. groupColumns.Select(c => (JsonNode)c)]),
                ["label"] = labelColumn,
                ["prediction"] = predictionColumn,
                ["score"] = scoreColumn,
            });

            string? recordId = null;
            if (parse.GetValue(record) is { } model)
            {
                await using var storage = context.Stores.Open(context, mustExist: false);
                recordId = await storage.SaveMetadataAsync(model, PipelineStages.Validation, FairnessReport.EventType, document.DeepClone(),
                    parse.GetValue(version), $"Fairness assessment of {Path.GetFileName(path)} by {string.Join(" & ", groupColumns)}",
                    context.CancellationToken).ConfigureAwait(false);
                context.Note($"recorded as {recordId} ({PipelineStages.Validation}/{FairnessReport.EventType} of {model})");
            }
            if (context.Json)
            {
                if (recordId is not null) document["record_id"] = recordId;
                context.WriteJson(document);
            }
            else
            {
                Write(context.Out, report, Path.GetFileName(path), observations.Count, groupColumns);
                if (recordId is not null) context.Out.MarkupLine($"Recorded: [bold]{recordId}[/]");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The report's JSON with the source first: what was measured, then the measures.</summary>
    private static JsonObject Document(FairnessReport report, JsonObject source)
    {
        var document = new JsonObject { ["source"] = source };
        var json = report.ToJson();
        foreach (string key in json.Select(kv => kv.Key).ToList())
        {
            var value = json[key];
            json.Remove(key);
            document[key] = value;
        }
        return document;
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    private static void Write(IAnsiConsole console, FairnessReport r, string file, int rows, string[] groupColumns)
    {
        var c = CultureInfo.InvariantCulture;
        var intervals = r.Intervals;
        console.MarkupLine(Markup.Escape($"Fairness of {file}: {rows.ToString("N0", c)} rows, groups by {string.Join(" & ", groupColumns)}"
            + (groupColumns.Length > 1 ? " (intersectional)" : "") + "."));
        console.MarkupLine(Markup.Escape(intervals is null
            ? "Point estimates only (--bootstrap 0)."
            : $"{(intervals.ConfidenceLevel * 100).ToString("0.##", c)} % percentile-bootstrap intervals from {intervals.BootstrapSamples.ToString("N0", c)} resamples of the whole dataset (seed {intervals.Seed.ToString(c)})."));

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Group", "Rows", "Selection rate", "True positive rate", "False positive rate");
        if (r.HasScores) table.AddColumn("Calibration error (ECE)");
        table.AddColumn("Adverse impact ratio");
        var small = r.SmallGroups.ToHashSet(StringComparer.Ordinal);
        foreach (var g in r.Groups)
        {
            var cells = new List<string?> { g.Group, g.Total.ToString("N0", c) };
            if (small.Contains(g.Group))
            {
                cells.Add($"too small to judge (< {r.MinimumGroupSize.ToString(c)})");
                cells.AddRange(Enumerable.Repeat("", (r.HasScores ? 4 : 3)));
            }
            else
            {
                cells.Add(Estimate(r.SelectionRates, intervals?.SelectionRates, g.Group));
                cells.Add(Estimate(r.TruePositiveRates, intervals?.TruePositiveRates, g.Group));
                cells.Add(Estimate(r.FalsePositiveRates, intervals?.FalsePositiveRates, g.Group));
                if (r.HasScores) cells.Add(Estimate(r.ExpectedCalibrationErrors, intervals?.ExpectedCalibrationErrors, g.Group));
                cells.Add(r.AdverseImpactRatios[g.Group].ToString("0.000", c));
            }
            table.AddRow(Render.Cells([.. cells]));
        }
        console.Write(table);

        var metrics = new Table().Border(TableBorder.Rounded).AddColumns("Metric (Fairlearn)", "Value", "Interval");
        foreach (var (name, value, interval) in new (string, double?, ConfidenceInterval?)[]
                 {
                     ("demographic_parity_difference", r.DemographicParityDifference, intervals?.DemographicParityDifference),
                     ("demographic_parity_ratio", r.DemographicParityRatio, intervals?.DemographicParityRatio),
                     ("equalized_odds_difference", r.EqualizedOddsDifference, intervals?.EqualizedOddsDifference),
                     ("equal_opportunity_difference", r.EqualOpportunityDifference, intervals?.EqualOpportunityDifference),
                     ("false_positive_rate_difference", r.FalsePositiveRateDifference, intervals?.FalsePositiveRateDifference),
                 })
        {
            metrics.AddRow(Render.Cells(name, value?.ToString("0.000", c) ?? "undefined", Bounds(interval)));
        }
        console.Write(metrics);

        string ratio = r.AdverseImpactRatio.ToString("0.000", c);
        console.MarkupLine(r.PassesFourFifthsRule
            ? $"Four-fifths rule (29 CFR 1607.4(D)): [green]passes[/]: the lowest adverse impact ratio is {ratio} (reference group {Markup.Escape($"'{r.ReferenceGroup}'")})."
            : $"Four-fifths rule (29 CFR 1607.4(D)): [red]flagged[/]: {Markup.Escape(string.Join(", ", r.GroupsBelowFourFifths.Select(g => $"'{g}'")))} "
              + $"below 0.8 of {Markup.Escape($"'{r.ReferenceGroup}'")}'s selection rate (lowest ratio {ratio}"
              + (intervals?.DemographicParityRatio is { } dpr ? $", interval {Markup.Escape(Bounds(dpr))}" : "") + ").");
        foreach (var warning in r.Warnings) console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
    }

    private static string Estimate(IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<string, ConfidenceInterval>? intervals, string group)
    {
        if (!values.TryGetValue(group, out double v)) return "undefined";
        string text = v.ToString("0.000", CultureInfo.InvariantCulture);
        return intervals is not null && intervals.TryGetValue(group, out var ci) ? $"{text} {Bounds(ci)}" : text;
    }

    private static string Bounds(ConfidenceInterval? ci) => ci is { } i
        ? $"[{i.Low.ToString("0.000", CultureInfo.InvariantCulture)}, {i.High.ToString("0.000", CultureInfo.InvariantCulture)}]"
        : "-";
}
