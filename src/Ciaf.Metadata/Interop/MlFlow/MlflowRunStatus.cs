namespace Ciaf.Metadata.Interop.MlFlow;

/// <summary>MLflow's <c>RunStatus</c>: the integers a run's <c>meta.yaml</c> stores, and their names.</summary>
internal static class MlflowRunStatus
{
    private static readonly string[] Names = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

    /// <summary>The name of a stored status: 1 RUNNING, 2 SCHEDULED, 3 FINISHED, 4 FAILED, 5 KILLED (a name is accepted as is).</summary>
    public static bool TryGetName(string text, out string name)
    {
        if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long n) && n is >= 1 and <= 5)
        {
            name = Names[n - 1];
            return true;
        }
        name = Array.Find(Names, s => s == text) ?? string.Empty;
        return name.Length > 0;
    }
}
