using Ciaf.Metadata;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Search;

// A store with a signing key for its ledger: every write appends a leaf; checkpoints are signed with the key.
using (var key = LedgerKeys.Create("ledger_key.pem")) File.WriteAllText("ledger_public.pem", LedgerKeys.PublicPem(key));
using var storage = MetadataStorage.Create(b => b.UseSqlite("search_ledger_store").Configure(o => o.LedgerKeyPath = "ledger_key.pem"));
for (int i = 0; i < 5; i++)
{
    storage.SaveMetadata("credit_scoring", "training", "model_trained", new { performance = new { accuracy = 0.86 + i * 0.02 }, run = i });
}
string validated = storage.SaveMetadata("credit_scoring", "validation", "model_validated", new { performance = new { accuracy = 0.93 }, validation = new { auc = 0.95 } });
storage.AddComplianceEvent(validated, "GDPR", 0.62, "failed");

string filter = "model_name = 'credit_scoring' AND (metadata.performance.accuracy < 0.9 OR NOT EXISTS(metadata.validation))";
var options = new SearchOptions { OrderBy = "metadata.performance.accuracy", Descending = false, Limit = 50 };
SearchPage page = storage.Search(filter, options);
SearchPage next = storage.Search(filter, options with { Cursor = page.NextCursor });
long failed = storage.Count("stage = 'compliance' AND metadata.passed = false AND timestamp >= now() - 7d");
var gdpr = storage.SearchComplianceEvents("framework IN ('GDPR', 'EEOC') AND validation_status = 'failed'");

Console.WriteLine($"search: {page.Records.Count} match(es), lowest accuracy first: {page.Records[0].Metadata["performance"]!["accuracy"]}");
Console.WriteLine($"search: {(page.NextCursor is null ? "one page holds every match" : $"the next page holds {next.Records.Count}")}, failed assessments {failed}, failed GDPR/EEOC events {gdpr.Count}");

LedgerCheckpoint checkpoint = storage.Ledger.Checkpoint();
LedgerReceipt receipt = storage.Ledger.Prove(validated);
File.WriteAllText("receipt.json", receipt.ToJson());

// What an auditor does, with the receipt and the public key only: no store, no library state.
using var publicKey = LedgerKeys.LoadPublic(File.ReadAllText("ledger_public.pem"));
ReceiptVerification check = LedgerReceipt.Parse(File.ReadAllText("receipt.json")).Verify(publicKey, validated);
Console.WriteLine($"ledger: leaf {receipt.LeafIndex} of {checkpoint.TreeSize}, receipt valid: {check.IsValid}");
Console.WriteLine($"verify: {(storage.Verify().IsValid ? "clean" : "problems found")}");
