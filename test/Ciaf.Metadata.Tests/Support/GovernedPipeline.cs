using System.Security.Cryptography;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>
/// A small credit model's pipeline on a SQLite store with a signed ledger: ingestion, preprocessing, training,
/// validation with a per-group fairness breakdown, deployment, inference, monitoring, and (optionally) every declared
/// fact. Disposing closes the store and deletes the folder.
/// </summary>
internal sealed class GovernedPipeline : IAsyncDisposable
{
    public const string Model = "credit_model";
    public const string Version = "2.0.0";

    private readonly SqliteTestFolder _folder = new();

    private GovernedPipeline() { }

    public MetadataStorage Storage { get; private set; } = null!;

    public ModelMetadataManager Manager { get; private set; } = null!;

    public string KeyPath => Path.Combine(_folder.Path, "ledger_key.pem");

    public string Folder => _folder.Path;

    /// <summary>The public key checkpoints are signed with.</summary>
    public ECDsa PublicKey()
    {
        using var key = LedgerKeys.LoadPrivate(KeyPath);
        return LedgerKeys.LoadPublic(LedgerKeys.PublicPem(key));
    }

    /// <summary>Opens the store (again) with these options over the defaults.</summary>
    public MetadataStorage Open(Action<MetadataStorageOptions>? configure = null)
    {
        var options = new MetadataStorageOptions { StoragePath = Path.Combine(_folder.Path, "store"), Backend = "sqlite", LedgerKeyPath = KeyPath };
        configure?.Invoke(options);
        return new MetadataStorage(options);
    }

    public static async Task<GovernedPipeline> CreateAsync(bool declareFacts = true, Action<MetadataStorageOptions>? configure = null)
    {
        var p = new GovernedPipeline();
        LedgerKeys.Create(p.KeyPath).Dispose();
        p.Storage = p.Open(configure);
        p.Manager = new ModelMetadataManager(Model, Version, p.Storage);
        var m = p.Manager;
        m.LogDataIngestion(new { source = "bureau_2026q1", rows = 400, features = new[] { "income", "debt" }, protected_attributes = new[] { "gender" } }, "Bureau extract");
        m.LogDataPreprocessing(new { rows_in = 400, rows_out = 396, steps = new[] { "drop_invalid" } });
        m.LogTrainingStart(new { algorithm = "LogisticRegression", framework = "ML.NET 5", hyperparameters = new { l2 = 0.1 }, features = new[] { "income", "debt" } });
        m.LogTrainingComplete(new { training_time_seconds = 1.5, training_accuracy = 0.81 });
        var decisions = Enumerable.Range(0, 200).Select(i => (Group: i % 2 == 0 ? "female" : "male", Approved: i % 3 != 0, Repaid: i % 4 != 0)).ToList();
        var fairness = FairnessMetrics.Compute(decisions, d => d.Group, d => d.Approved, d => d.Repaid);
        m.LogValidation(new { test_samples = 200, accuracy = 0.8, auc_roc = 0.86, decision_threshold = 0.5, fairness = new { gender = fairness.ToJson() } }, "Held-out split");
        m.LogDeployment(new { environment = "production", serving = "REST API", artifact_sha256 = new string('a', 64) }, "Deployed");
        m.LogInference(new { request_id = "r-1", prediction = "approved" });
        m.LogMonitoring(new { max_psi = 0.31, drift_detected = true }, "Drift");
        if (declareFacts) m.LogDeclaredFacts(AllFacts(except: "declaration_of_conformity"));
        return p;
    }

    /// <summary>A value for every declared fact, but <paramref name="except"/>.</summary>
    public static Dictionary<string, object> AllFacts(params string[] except)
    {
        var facts = new Dictionary<string, object>();
        foreach (var f in DeclaredFacts.All.Where(f => !except.Contains(f.Name)))
        {
            facts[f.Name] = f.Kind switch
            {
                DeclaredFactKind.Owners => new object[] { new { name = "Risk team", contact = "risk@example.com" } },
                DeclaredFactKind.Risks => new object[] { new { name = $"{f.Name} risk", mitigation_strategy = "reviewed" } },
                DeclaredFactKind.Links => new[] { "https://example.com/model" },
                _ => $"The {f.Name.Replace('_', ' ')} of the credit model.",
            };
        }
        facts["license"] = "Apache-2.0";
        return facts;
    }

    public async ValueTask DisposeAsync()
    {
        if (Storage is not null) await Storage.DisposeAsync();
        _folder.Dispose();
    }
}
