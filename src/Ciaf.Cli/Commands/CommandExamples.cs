using System.CommandLine;

namespace Ciaf.Cli.Commands;

/// <summary>
/// One example per command (a second on its own line where a command has two uses), shown at the end of its description in <c>--help</c>. Kept together so the examples read
/// as one set (and match the README's table); a test checks every command has one.
/// </summary>
internal static class CommandExamples
{
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["init"] = "ciaf init credit_scoring --template production --backend sqlite",
        ["demo"] = "ciaf demo && ciaf list && ciaf trace credit_scoring_demo",
        ["save"] = "ciaf save my_classifier training model_trained --metadata '{\"accuracy\": 0.95}'",
        ["get"] = "ciaf get 01a21a51-9f7b-7249-b216-c714a5c761e6 --json",
        ["list"] = "ciaf list --model credit_scoring_demo --stage inference --since 24h",
        ["trace"] = "ciaf trace credit_scoring_demo --timeline",
        ["events"] = "ciaf events --framework GDPR",
        ["compliance"] = "ciaf compliance report credit_scoring_demo --format markdown",
        ["compliance report"] = "ciaf compliance report credit_scoring_demo --format html -o report.html",
        ["fairness"] = "ciaf fairness predictions.csv --group gender --group age_group --label repaid --prediction approved --score probability --record credit_scoring_demo",
        ["export"] = "ciaf export --model credit_scoring_demo --format parquet\nciaf export --format openlineage --filter \"stage IN ('data_ingestion', 'deployment')\" -o lineage.jsonl",
        ["import"] = "ciaf import exports/all_metadata_20260301_120000.jsonl --store ./restored\nciaf import ./mlruns --from mlflow --include-deleted",
        ["migrate"] = "ciaf migrate --to ./ciaf_sqlite --to-backend sqlite",
        ["backup"] = "ciaf backup --output ciaf-2026-03-01.zip",
        ["restore"] = "ciaf restore ciaf-2026-03-01.zip --target ./ciaf_restored",
        ["verify"] = "ciaf verify --checkpoint witness/checkpoint-000000001000.txt --key ledger_public.pem",
        ["cleanup"] = "ciaf cleanup --days 90 --dry-run",
        ["hold"] = "ciaf hold add credit_scoring_demo --reason \"Case 2026-17\"",
        ["hold add"] = "ciaf hold add credit_scoring_demo --reason \"Case 2026-17\"",
        ["hold release"] = "ciaf hold release credit_scoring_demo --reason \"case closed\"",
        ["hold list"] = "ciaf hold list --json",
        ["erase"] = "ciaf erase --subject applicant-1042 --reason \"GDPR request 2026-311\"",
        ["subject"] = "ciaf subject export applicant-1042 --output applicant-1042.jsonl",
        ["subject export"] = "ciaf subject export applicant-1042 --output applicant-1042.jsonl",
        ["audit"] = "ciaf audit --action read --since 24h",
        ["keygen"] = "ciaf keygen keys/metadata.key",
        ["stats"] = "ciaf stats --json",
        ["config"] = "ciaf config show",
        ["config show"] = "ciaf config show --json",
        ["config validate"] = "ciaf config validate --config prod_config.json",
        ["config template"] = "ciaf config template production --output prod_config.json",
        ["completion"] = "source <(ciaf completion bash)",
        ["search"] = "ciaf search \"stage = 'training' AND metadata.performance.accuracy < 0.9\" --order-by metadata.performance.accuracy asc",
        ["index"] = "ciaf index list",
        ["index add"] = "ciaf index add metadata.performance.accuracy",
        ["index list"] = "ciaf index list --json",
        ["index drop"] = "ciaf index drop metadata.performance.accuracy",
        ["prove"] = "ciaf prove 01a21a51-9f7b-7249-b216-c714a5c761e6 > receipt.json",
        ["verify-receipt"] = "ciaf verify-receipt receipt.json --key ledger_public.pem",
        ["ledger"] = "ciaf ledger status",
        ["ledger key"] = "ciaf ledger key create keys/ledger.pem > ledger_public.pem",
        ["ledger key create"] = "ciaf ledger key create keys/ledger.pem > ledger_public.pem",
        ["ledger key public"] = "ciaf ledger key public --key keys/ledger.pem",
        ["ledger init"] = "ciaf ledger init --store ./legacy_store",
        ["ledger status"] = "ciaf ledger status --json",
        ["ledger checkpoint"] = "ciaf ledger checkpoint --output witness/checkpoint.txt",
        ["serve"] = "ciaf serve --store ciaf_demo_store --urls http://127.0.0.1:5080",
        ["apikey"] = "ciaf apikey create training-job --role writer --expires 90d",
        ["apikey create"] = "ciaf apikey create alice --role auditor --expires 90d --json",
        ["apikey list"] = "ciaf apikey list --json",
        ["apikey revoke"] = "ciaf apikey revoke alice",
        ["ledger consistency"] = "ciaf ledger consistency --from 1000 --json",
        ["log"] = "ciaf log oversight credit_scoring_demo --by alice --decision overridden --reason \"income proof provided\"",
        ["log use-start"] = "ciaf log use-start credit_scoring_demo --context '{\"batch\": 7}'",
        ["log use-end"] = "ciaf log use-end 01a21a51-9f7b-7249-b216-c714a5c761e6 --outcome '{\"decisions\": 500}'",
        ["log input-check"] = "ciaf log input-check credit_scoring_demo --reference \"bureau_snapshot 2026-03\" --matched true",
        ["log oversight"] = "ciaf log oversight credit_scoring_demo --by alice --decision overridden --reason \"income proof provided\"",
        ["log risk"] = "ciaf log risk credit_scoring_demo --severity high --description \"approval rate for one group fell below four fifths\"",
        ["log modification"] = "ciaf log modification credit_scoring_demo --model-version 1.1.0 --previous-version 1.0.0 --trigger \"drift (PSI 0.31)\" --description \"retrained on 2026 Q1 data\"",
        ["docs"] = "ciaf docs annex-iv credit_scoring_demo --format html -o annex_iv.html",
        ["docs annex-iv"] = "ciaf docs annex-iv credit_scoring_demo --format json -o annex_iv.json",
        ["docs declare"] = "ciaf docs declare credit_scoring_demo --fact hardware=\"x86-64, 2 vCPU, 4 GB\" --file facts.json",
        ["docs facts"] = "ciaf docs facts",
        ["model-card"] = "ciaf model-card credit_scoring_demo --format markdown -o model_card.md",
        ["incident"] = "ciaf incident list --open",
        ["incident open"] = "ciaf incident open credit_scoring_demo --kind serious --aware-at 2026-03-01T23:59:00Z --summary \"wrongful denials after drift\"",
        ["incident update"] = "ciaf incident update 01a21a51-9f7b-7249-b216-c714a5c761e6 --report initial --note \"preliminary report sent\"",
        ["incident close"] = "ciaf incident close 01a21a51-9f7b-7249-b216-c714a5c761e6 --resolution \"model 1.1.0 deployed\"",
        ["incident list"] = "ciaf incident list credit_scoring_demo --json",
        ["monitoring"] = "ciaf monitoring check credit_scoring_demo --open-incident",
        ["monitoring plan"] = "ciaf monitoring plan show credit_scoring_demo",
        ["monitoring plan set"] = "ciaf monitoring plan set credit_scoring_demo --file plan.json",
        ["monitoring plan show"] = "ciaf monitoring plan show credit_scoring_demo --json",
        ["monitoring check"] = "ciaf monitoring check credit_scoring_demo --open-incident",
    };

    /// <summary>Appends each command's example to its description, for every command under <paramref name="root"/>.</summary>
    public static void AddTo(Command root)
    {
        foreach (var (command, path) in Walk(root, string.Empty))
        {
            if (Examples.TryGetValue(path, out var example))
            {
                string lines = example.Replace("\n", Environment.NewLine + "  ", StringComparison.Ordinal);
                command.Description += $"{Environment.NewLine}{Environment.NewLine}Example:{Environment.NewLine}  {lines}";
            }
        }
    }

    /// <summary>Every command below <paramref name="parent"/> with its path (<c>hold add</c>).</summary>
    public static IEnumerable<(Command Command, string Path)> Walk(Command parent, string prefix)
    {
        foreach (var sub in parent.Subcommands)
        {
            string path = prefix.Length == 0 ? sub.Name : $"{prefix} {sub.Name}";
            yield return (sub, path);
            foreach (var nested in Walk(sub, path)) yield return nested;
        }
    }
}
