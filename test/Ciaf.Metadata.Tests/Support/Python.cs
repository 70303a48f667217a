using System.Diagnostics;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>Runs a Python 3 script (stdlib only) to check what the reference would see.</summary>
internal static class Python
{
    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/>; returns stdout, throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException("python3 did not finish in 120 s");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"python3 exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
