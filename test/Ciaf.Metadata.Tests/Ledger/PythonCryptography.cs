using System.Diagnostics;
using System.Text;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>
/// Runs python3 scripts that need the <c>cryptography</c> package (the independent checks of the ledger's signatures).
/// Without the package the tests are skipped, except under <c>CI=true</c>, where that is a failure.
/// </summary>
internal static class PythonCryptography
{
    private static readonly Lazy<string?> Missing = new(() =>
    {
        var (exit, _, stderr) = Run(["-c", "import cryptography"]);
        return exit == 0 ? null : $"python3 with the 'cryptography' package is needed: {stderr.Trim()}";
    });

    /// <summary>Skips the test (fails it under CI=true) when python3 or its <c>cryptography</c> package is missing.</summary>
    public static void Require()
    {
        if (Missing.Value is not { } reason) return;
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(reason);
        Skip.If(true, reason);
    }

    /// <summary>Runs <c>python3</c> with <paramref name="arguments"/>; returns the exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments) psi.ArgumentList.Add(argument);
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["PYTHONUTF8"] = "1";
        try
        {
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("python3 did not finish within 120 s");
            }
            return (process.ExitCode, stdout, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"python3 could not be started: {e.Message}");
        }
    }
}
