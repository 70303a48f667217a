using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Cli.Demo;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf demo</c>: the credit-scoring pipeline on the embedded default store (SQLite in <c>./ciaf_demo_store</c>),
/// then its trace, compliance report and export, and the commands to try next.
/// </summary>
internal static class DemoCommand
{
    public const string DefaultStore = "ciaf_demo_store";
    public const string DefaultBackend = "sqlite";

    /// <summary>Marks a folder as the demo's own, so a later run may replace it (and nothing else).</summary>
    public const string MarkerFile = ".ciaf-demo";

    public static Command Create(CliApp app)
    {
        var rows = new Option<int>("--rows") { Description = "Applications to train and validate on.", DefaultValueFactory = _ => 8000 };
        var batches = new Option<int>("--batches") { Description = "Live inference batches.", DefaultValueFactory = _ => 6 };
        var batchSize = new Option<int>("--batch-size") { Description = "Applications per live batch.", DefaultValueFactory = _ => 500 };
        var seed = new Option<int>("--seed") { Description = "The random seed (same seed, same data and model).", DefaultValueFactory = _ => 42 };
        rows.AtLeast(500);
        batches.AtLeast(1);
        batchSize.AtLeast(50);
        var command = new Command("demo",
            $"Run the end-to-end credit-scoring demo (ML.NET) on a fresh store (default ./{DefaultStore}, {DefaultBackend}; a previous demo store there is replaced).")
        {
            rows, batches, batchSize, seed,
        };
        app.Bind(command, async (context, parse) =>
        {
            var options = new DemoOptions
            {
                Rows = parse.GetValue(rows),
                Batches = parse.GetValue(batches),
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed),
            };
            string path = context.Host.FullPath(context.Settings.Store ?? DefaultStore);
            string backend = context.Settings.Backend ?? DefaultBackend;
            if (!MetadataBackends.IsRegistered(backend))
                throw CliException.Usage($"Unknown backend '{backend}'. Valid: {string.Join(", ", MetadataBackends.Names)}.");
            PrepareFolder(path);
            // Later commands run here find this store with no options.
            new StoreMarker { StoragePath = RelativeOrFull(context, path), StorageBackend = backend, CreatedBy = "ciaf demo" }.Save(context);
            context.Note($"store: {path} [{backend}] ({(context.Settings.Store is null ? "the demo's default" : "--store")})");

            DemoResult result;
            // A signing key for the demo's ledger, kept in the demo's folder (a real key lives apart from the store).
            Directory.CreateDirectory(path);
            string keyPath = Path.Combine(path, DemoKeyFile);
            LedgerKeys.Create(keyPath).Dispose();
            await using (var storage = new MetadataStorage(new MetadataStorageOptions { StoragePath = path, Backend = backend, LedgerKeyPath = keyPath }))
            {
                await File.WriteAllTextAsync(Path.Combine(path, MarkerFile), "Created by 'ciaf demo'; the next run replaces this folder.\n", context.CancellationToken).ConfigureAwait(false);
                var demo = new CreditScoringDemo(storage, options, s => context.Note($"• {s}"));
                result = await demo.RunAsync(context.CancellationToken).ConfigureAwait(false);
                var proof = await ProveDeploymentAsync(storage, path, keyPath, context.CancellationToken).ConfigureAwait(false);
                string lineage = await storage.ExportMetadataAsync(result.ModelName, "openlineage", Path.ChangeExtension(result.ExportPath, ".openlineage.jsonl"), context.CancellationToken).ConfigureAwait(false);
                context.Note($"OpenLineage events of every step (docs/interop.md): {lineage}");
                var documents = await WriteDocumentsAsync(storage, path, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    var json = ToJson(result, storage);
                    json["receipt"] = new JsonObject { ["file"] = proof.ReceiptFile, ["public_key"] = proof.PublicKeyFile, ["verified"] = proof.Verified };
                    json["governance"] = GovernanceJson(result, documents);
                    context.WriteJson(json);
                    return ExitCodes.Success;
                }
                var trace = await storage.GetPipelineTraceAsync(result.ModelName, context.CancellationToken).ConfigureAwait(false);
                WriteSummary(context, result, storage, trace);
                context.Out.MarkupLine(proof.Verified
                    ? $"[green]Ledger receipt[/] for the deployment record (leaf {proof.LeafIndex} of a signed log of {proof.TreeSize}) written to {Markup.Escape(proof.ReceiptFile)} and [green]verified offline[/] with {Markup.Escape(proof.PublicKeyFile)}: ciaf verify-receipt {Markup.Escape(proof.ReceiptFile)} --key {Markup.Escape(proof.PublicKeyFile)}"
                    : "[red]The deployment record's ledger receipt did not verify.[/]");
                WriteDocuments(context, result, documents);
            }
            WriteNextSteps(context, path, backend, result);
            return ExitCodes.Success;
        });
        return command;
    }

    private const string DemoKeyFile = "demo_ledger_key.pem";

    private sealed record DemoProof(string ReceiptFile, string PublicKeyFile, long LeafIndex, long TreeSize, bool Verified);

    // The demo's last step: a receipt for the deployment record, saved, then checked as an auditor would, from the
    // file and the public key alone.
    private static async Task<DemoProof> ProveDeploymentAsync(MetadataStorage storage, string path, string keyPath, CancellationToken cancellationToken)
    {
        var deployment = (await storage.GetModelMetadataAsync(CreditScoringDemo.ModelName, "deployment", 1, cancellationToken).ConfigureAwait(false))[0];
        var receipt = await storage.Ledger.ProveAsync(deployment.Id, cancellationToken).ConfigureAwait(false);
        string receiptFile = Path.Combine(path, "deployment_receipt.json");
        string publicKeyFile = Path.Combine(path, "ledger_public.pem");
        await File.WriteAllTextAsync(receiptFile, receipt.ToJson(), cancellationToken).ConfigureAwait(false);
        using (var key = LedgerKeys.LoadPrivate(keyPath)) await File.WriteAllTextAsync(publicKeyFile, LedgerKeys.PublicPem(key), cancellationToken).ConfigureAwait(false);
        using var publicKey = LedgerKeys.LoadPublic(publicKeyFile);
        bool verified = LedgerReceipt.Parse(await File.ReadAllTextAsync(receiptFile, cancellationToken).ConfigureAwait(false)).Verify(publicKey, deployment.Id).IsValid;
        return new DemoProof(receiptFile, publicKeyFile, receipt.LeafIndex, receipt.TreeSize, verified);
    }

    private sealed record DemoDocuments(string Folder, string ComplianceReport, string AnnexIvMarkdown, string AnnexIvJson, string ModelCardJson,
        string ModelCardMarkdown, int Evidenced, int Items, IReadOnlyList<string> Gaps);

    // The demo's end: the compliance report, the Annex IV pack and the model card, side by side in <store>/reports.
    private static async Task<DemoDocuments> WriteDocumentsAsync(MetadataStorage storage, string path, CancellationToken cancellationToken)
    {
        string folder = Path.Combine(path, "reports");
        Directory.CreateDirectory(folder);
        string model = CreditScoringDemo.ModelName;
        var report = await StoredComplianceReport.BuildAsync(storage, model, cancellationToken: cancellationToken).ConfigureAwait(false);
        var pack = await AnnexIvDocumentation.BuildAsync(storage, model, cancellationToken: cancellationToken).ConfigureAwait(false);
        var card = await ModelCardDocument.BuildAsync(storage, model, cancellationToken: cancellationToken).ConfigureAwait(false);
        var files = new (string Name, string Text)[]
        {
            ("compliance_report.md", report!.ToMarkdown()), ("annex_iv.md", pack.ToMarkdown()), ("annex_iv.json", pack.ToJson()),
            ("model_card.json", card.ToJson()), ("model_card.md", card.ToMarkdown()),
        };
        foreach (var (name, text) in files) await File.WriteAllTextAsync(Path.Combine(folder, name), text, cancellationToken).ConfigureAwait(false);
        string F(string name) => Path.Combine(folder, name);
        return new DemoDocuments(folder, F("compliance_report.md"), F("annex_iv.md"), F("annex_iv.json"), F("model_card.json"), F("model_card.md"),
            pack.Items.Count() - pack.Gaps.Count, pack.Items.Count(), [.. pack.Gaps.Select(g => g.Id)]);
    }

    private static void WriteDocuments(CliContext context, DemoResult r, DemoDocuments d)
    {
        var console = context.Out;
        if (r.Governance is { } g)
        {
            console.MarkupLine($"Post-market monitoring check {(g.Breached ? "[red]breached[/] the plan" : "passed")}; incident [bold]{Markup.Escape(g.IncidentId)}[/] "
                + $"reported to the authority (initial report), deadline {Markup.Escape(Ciaf.Metadata.Hashing.PythonTimestamp.Format(g.IncidentDueAt))}: {Markup.Escape(g.IncidentDeadline)}.");
        }
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"EU AI Act Annex IV pack: {d.Evidenced} of {d.Items} items evidenced")
            + (d.Gaps.Count == 0 ? "." : $", gaps {Markup.Escape(string.Join(", ", d.Gaps))} (each names the command that fills it)."));
        foreach (var (what, file) in new[] { ("Compliance report", d.ComplianceReport), ("Annex IV pack", d.AnnexIvMarkdown), ("Annex IV pack (JSON)", d.AnnexIvJson),
                     ("Model card", d.ModelCardJson), ("Model card (Markdown)", d.ModelCardMarkdown) })
        {
            console.MarkupLine($"{what}: [bold]{Markup.Escape(file)}[/]");
        }
    }

    private static JsonObject GovernanceJson(DemoResult r, DemoDocuments d) => new()
    {
        ["monitoring_check"] = r.Governance?.MonitoringCheckId,
        ["monitoring_breached"] = r.Governance?.Breached,
        ["incident"] = r.Governance?.IncidentId,
        ["incident_deadline"] = r.Governance?.IncidentDeadline,
        ["compliance_report"] = d.ComplianceReport,
        ["annex_iv"] = d.AnnexIvMarkdown,
        ["annex_iv_json"] = d.AnnexIvJson,
        ["annex_iv_evidenced"] = d.Evidenced,
        ["annex_iv_items"] = d.Items,
        ["annex_iv_gaps"] = new JsonArray([.. d.Gaps.Select(x => (JsonNode?)JsonValue.Create(x))]),
        ["model_card"] = d.ModelCardJson,
        ["model_card_markdown"] = d.ModelCardMarkdown,
    };

    /// <summary>The demo writes only to a new folder or to its own earlier store.</summary>
    private static void PrepareFolder(string path)
    {
        if (File.Exists(path)) throw new CliException($"'{path}' is a file; pass --store with a folder for the demo.");
        if (!Directory.Exists(path)) return;
        if (File.Exists(Path.Combine(path, MarkerFile)))
        {
            Directory.Delete(path, recursive: true);
            return;
        }
        if (Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new CliException($"'{path}' exists and was not created by 'ciaf demo'; pass --store with a new folder.");
        }
    }

    private static void WriteSummary(CliContext context, DemoResult r, MetadataStorage storage, PipelineTrace trace)
    {
        var c = CultureInfo.InvariantCulture;
        var console = context.Out;
        console.Write(new Rule($"[bold]Credit-scoring pipeline[/] {Markup.Escape(r.ModelName)} {Markup.Escape(r.ModelVersion)}").LeftJustified());
        console.MarkupLine(string.Create(c,
            $"Trained a logistic regression (ML.NET) on [bold]{r.TrainingRows}[/] applications; held-out [bold]{r.TestRows}[/]: " +
            $"accuracy [bold]{r.Accuracy:0.000}[/], AUC [bold]{r.Auc:0.000}[/], F1 [bold]{r.F1:0.000}[/], precision {r.Precision:0.000}, recall {r.Recall:0.000}, calibration {r.Calibration:0.000}."));
        console.MarkupLine(string.Create(c,
            $"Scored [bold]{r.Predictions}[/] live applications: approval rate {r.LiveApprovalRate:P1} (training {r.TrainingApprovalRate:P1})."));
        console.WriteLine();

        TraceCommand.WriteTree(context, trace, maxPerEvent: 3);
        console.WriteLine();

        var fairness = new Table().Border(TableBorder.Rounded).Title("Fairness on the held-out split (four-fifths rule)")
            .AddColumns("Attribute", "Group", "Applicants", "Approval rate", "Adverse impact ratio", "True positive rate");
        foreach (var (name, report) in new[] { ("gender", r.GenderFairness), ("age group", r.AgeFairness) })
        {
            foreach (var g in report.Groups)
            {
                double air = report.AdverseImpactRatios.GetValueOrDefault(g.Group, 1);
                fairness.AddRow(new Markup(Markup.Escape(name)), new Markup(Markup.Escape(g.Group)), new Markup(g.Total.ToString(c)),
                    new Markup(g.SelectionRate.ToString("P1", c)),
                    new Markup(air < FairnessReport.FourFifths ? $"[red]{air:0.000}[/]" : air.ToString("0.000", c)),
                    new Markup(g.TruePositiveRate is { } tpr ? tpr.ToString("0.000", c) : "-"));
            }
        }
        console.Write(fairness);

        var drift = new Table().Border(TableBorder.Rounded).Title("Drift, training vs live (PSI)").AddColumns("Feature", "PSI", "Level");
        foreach (var (feature, psi) in r.Psi.OrderByDescending(kv => kv.Value))
        {
            string level = PopulationStability.Level(psi);
            drift.AddRow(new Markup(Markup.Escape(feature)), new Markup(psi.ToString("0.000", c)),
                new Markup(level switch { "significant" => "[red]significant[/]", "moderate" => "[yellow]moderate[/]", _ => "stable" }));
        }
        console.Write(drift);

        WriteComplianceReport(context, r.Report);
        console.MarkupLine($"Export: [bold]{Markup.Escape(r.ExportPath)}[/]");
        console.MarkupLine($"Model file: {Markup.Escape(r.ArtifactPath)}");
        var metrics = storage.GetPerformanceMetrics();
        console.MarkupLine(string.Create(c,
            $"Store: {metrics.RecordCount} records, {metrics.TotalSizeMb:0.00} MB, mean save {metrics.AvgWriteTimeMs:0.00} ms. Demo took [bold]{r.Elapsed.TotalSeconds:0.0} s[/]."));
    }

    /// <summary>A compliance report as tables: frameworks, then each one's unmet requirements.</summary>
    public static void WriteComplianceReport(CliContext context, ComplianceReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(string.Create(c, $"Compliance of {report.ModelName} {report.ModelVersion}: overall {report.OverallScore:0.###} (pass mark {report.Threshold:0.###})"))
            .AddColumns("Framework", "Score", "Status", "Requirements met", "Not met");
        foreach (var f in report.Frameworks)
        {
            var unmet = f.Findings.Where(x => !x.Met).Select(x => x.Requirement).ToList();
            table.AddRow(new Markup(Markup.Escape(f.Framework)), new Markup(f.LatestScore.ToString("0.###", c)),
                new Markup(f.Passed ? "[green]passed[/]" : "[red]failed[/]"),
                new Markup($"{f.Findings.Count(x => x.Met)}/{f.Findings.Count}"),
                new Markup(Markup.Escape(unmet.Count == 0 ? "-" : string.Join(", ", unmet))));
        }
        context.Out.Write(table);
    }

    /// <summary>A store path as the user would type it from the working directory.</summary>
    private static string RelativeOrFull(CliContext context, string path) =>
        Path.GetRelativePath(context.Host.WorkingDirectory, path) is { } rel && !rel.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(rel) ? rel : path;

    private static void WriteNextSteps(CliContext context, string path, string backend, DemoResult r)
    {
        // Commands find the demo's store with no options unless something earlier in the search names another
        // (--config, CIAF_STORAGE_PATH, a ciaf_config.json here or above): then the next steps say --store.
        string? found;
        try
        {
            found = new StoreResolver(context.Host, new GlobalSettings()).Resolve().Options.StoragePath;
        }
        catch (CliException)
        {
            found = null;
        }
        string s = string.Equals(found, path, StringComparison.Ordinal)
            ? string.Empty
            : $" --store {Quote(RelativeOrFull(context, path))}" + (backend == DefaultBackend ? string.Empty : $" --backend {backend}");
        var lines = new[]
        {
            ($"ciaf trace {r.ModelName}{s} --timeline", "every record in time order"),
            ($"ciaf list{s} --stage inference --limit 10", "the newest inference records"),
            ($"ciaf events{s}", "compliance events (GDPR, FCRA, EEOC, EU AI Act)"),
            ($"ciaf compliance report {r.ModelName}{s} --format markdown", "the report as Markdown (or json, html)"),
            ($"ciaf docs annex-iv {r.ModelName}{s} --format html -o annex_iv.html", "the EU AI Act technical documentation"),
            ($"ciaf incident list{s}", "incidents and their Art. 73 deadlines"),
            ($"ciaf stats{s}", "size and records per stage"),
            ($"ciaf export{s} --format jsonl", "everything, one record per line"),
        };
        context.Out.WriteLine();
        context.Out.MarkupLine("[bold]Try next[/] (from this folder; prefix with 'dotnet run --project src/Ciaf.Cli --' when running from the repository):");
        foreach (var (cmd, why) in lines) context.Out.MarkupLine($"  [blue]{Markup.Escape(cmd)}[/]  [grey]# {Markup.Escape(why)}[/]");
    }

    private static string Quote(string path) => path.Any(char.IsWhiteSpace) ? $"\"{path}\"" : path;

    private static JsonObject ToJson(DemoResult r, MetadataStorage storage) => new()
    {
        ["store"] = storage.StoragePath,
        ["backend"] = storage.Backend,
        ["model_name"] = r.ModelName,
        ["model_version"] = r.ModelVersion,
        ["training_rows"] = r.TrainingRows,
        ["test_rows"] = r.TestRows,
        ["validation"] = new JsonObject
        {
            ["accuracy"] = r.Accuracy,
            ["auc_roc"] = r.Auc,
            ["f1_score"] = r.F1,
            ["precision"] = r.Precision,
            ["recall"] = r.Recall,
            ["calibration"] = r.Calibration,
        },
        ["fairness"] = new JsonObject { ["gender"] = r.GenderFairness.ToJson(), ["age_group"] = r.AgeFairness.ToJson() },
        ["psi"] = new JsonObject([.. r.Psi.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
        ["predictions"] = r.Predictions,
        ["approval_rate_live"] = r.LiveApprovalRate,
        ["approval_rate_training"] = r.TrainingApprovalRate,
        ["compliance_report"] = r.Report.ToJsonObject(),
        ["record_count"] = storage.GetPerformanceMetrics().RecordCount,
        ["artifact"] = r.ArtifactPath,
        ["export"] = r.ExportPath,
        ["elapsed_seconds"] = Math.Round(r.Elapsed.TotalSeconds, 2),
    };
}
