using System.Diagnostics;
using System.Text;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>Runs <c>python3 -c</c> (standard library only) for the interoperability tests; a missing python3 fails the test, never skips it.</summary>
internal static class Python
{
    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/> (as <c>sys.argv[1:]</c>); returns stdout, fails the test on a non-zero exit.</summary>
    public static string Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["PYTHONUTF8"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("python3 could not be started");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("python3 did not finish within 120 s");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 exited with {process.ExitCode}:\n{stderr.Result}\n{stdout}");
        }
        return stdout;
    }
}
