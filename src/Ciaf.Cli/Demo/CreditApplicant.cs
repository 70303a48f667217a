using Microsoft.ML.Data;

namespace Ciaf.Cli.Demo;

/// <summary>One credit application (synthetic). <see cref="Gender"/> and <see cref="AgeGroup"/> are protected attributes: never model inputs.</summary>
internal sealed class CreditApplicant
{
    public string ApplicantId { get; set; } = "";

    public string Gender { get; set; } = "";

    public string AgeGroup { get; set; } = "";

    public float Age { get; set; }

    public float AnnualIncome { get; set; }

    public float DebtToIncome { get; set; }

    public float CreditHistoryYears { get; set; }

    public float LatePayments { get; set; }

    public float LoanAmount { get; set; }

    public float EmploymentYears { get; set; }

    public float OpenAccounts { get; set; }

    /// <summary>True when the applicant repaid (the decision to predict: approve).</summary>
    public bool Label { get; set; }

    /// <summary>The model's inputs, in order.</summary>
    public static readonly string[] FeatureColumns =
    [
        nameof(AnnualIncome), nameof(DebtToIncome), nameof(CreditHistoryYears), nameof(LatePayments),
        nameof(LoanAmount), nameof(EmploymentYears), nameof(OpenAccounts), nameof(Age),
    ];

    public float Feature(int index) => index switch
    {
        0 => AnnualIncome,
        1 => DebtToIncome,
        2 => CreditHistoryYears,
        3 => LatePayments,
        4 => LoanAmount,
        5 => EmploymentYears,
        6 => OpenAccounts,
        7 => Age,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };
}

/// <summary>The classifier's output for one applicant.</summary>
internal sealed class CreditPrediction
{
    public string ApplicantId { get; set; } = "";

    public string Gender { get; set; } = "";

    public string AgeGroup { get; set; } = "";

    public bool Label { get; set; }

    [ColumnName("PredictedLabel")]
    public bool Approved { get; set; }

    public float Probability { get; set; }

    public float Score { get; set; }
}
