namespace Ciaf.Cli.Demo;

/// <summary>
/// Generates realistic synthetic credit applications from a seeded RNG: incomes are log-normal, late payments
/// Poisson, and repayment follows a logistic model of the financial features. Gender is never an input to the
/// outcome, but income and career gaps differ slightly between groups (as in real data), so a model can
/// still treat the groups differently — which the fairness metrics then measure.
/// </summary>
internal sealed class CreditDataGenerator(int seed)
{
    private readonly Random _random = new(seed);
    private int _next;

    /// <summary>Applications. <paramref name="drift"/> (0 = the training population, 1 = a downturn) lowers incomes and raises debt.</summary>
    public List<CreditApplicant> Generate(int count, double drift = 0, double missingRate = 0, double invalidRate = 0)
    {
        var rows = new List<CreditApplicant>(count);
        for (int i = 0; i < count; i++) rows.Add(Next(drift, missingRate, invalidRate));
        return rows;
    }

    private CreditApplicant Next(double drift, double missingRate, double invalidRate)
    {
        bool female = _random.NextDouble() < 0.48;
        double age = Math.Clamp(Normal(41, 12), 19, 80);
        double career = Math.Max(0, age - 22 - (female ? Exponential(4.0) : Exponential(1.0)));
        double income = Math.Exp(Normal(10.85 + 0.012 * Math.Min(career, 25) - (female ? 0.14 : 0) - 0.3 * drift, 0.42));
        double debtToIncome = Math.Clamp(Normal(0.31 + 0.12 * drift, 0.12), 0.0, 0.95);
        double history = Math.Clamp(career * 0.8 + Normal(2, 2.5), 0, 50);
        double late = Poisson(0.7 + 1.2 * drift + (history < 3 ? 0.8 : 0));
        double loan = Math.Round(Math.Exp(Normal(9.6, 0.6)) / 100) * 100;
        double employment = Math.Clamp(Math.Min(career, Exponential(7)), 0, 45);
        double accounts = Poisson(4);

        // Repayment: a logistic model of the financial picture (never of gender or age directly).
        double z = 0.95
            + 2.2 * (Math.Log(income) - 10.85)
            - 7.0 * (debtToIncome - 0.31)
            + 0.07 * (history - 10)
            - 0.9 * late
            - 1.2 * (loan / income - 0.3)
            + 0.05 * (employment - 5)
            + Normal(0, 0.3);
        bool repaid = _random.NextDouble() < 1 / (1 + Math.Exp(-z));

        var row = new CreditApplicant
        {
            ApplicantId = $"APP-{++_next:D7}",
            Gender = female ? "female" : "male",
            AgeGroup = age < 40 ? "under_40" : "40_and_over",
            Age = (float)Math.Round(age),
            AnnualIncome = (float)Math.Round(income, 2),
            DebtToIncome = (float)Math.Round(debtToIncome, 3),
            CreditHistoryYears = (float)Math.Round(history, 1),
            LatePayments = (float)late,
            LoanAmount = (float)loan,
            EmploymentYears = (float)Math.Round(employment, 1),
            OpenAccounts = (float)accounts,
            Label = repaid,
        };
        if (_random.NextDouble() < missingRate) row.EmploymentYears = float.NaN;
        if (_random.NextDouble() < invalidRate) row.AnnualIncome = -1;
        return row;
    }

    private double Normal(double mean, double sd)
    {
        double u1 = 1.0 - _random.NextDouble();
        double u2 = _random.NextDouble();
        return mean + sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private double Exponential(double mean) => -mean * Math.Log(1.0 - _random.NextDouble());

    private double Poisson(double lambda)
    {
        double l = Math.Exp(-lambda), p = 1;
        int k = 0;
        do
        {
            k++;
            p *= _random.NextDouble();
        }
        while (p > l);
        return k - 1;
    }
}
