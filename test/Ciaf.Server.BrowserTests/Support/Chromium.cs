namespace Ciaf.Server.BrowserTests.Support;

/// <summary>
/// Debian's <c>chromium</c> package, which Playwright drives (no browser download: <c>.ci/run</c> installs the package).
/// Missing outside CI: the browser tests are skipped, saying why. Missing under <c>CI=true</c>: they fail.
/// </summary>
public static class Chromium
{
    /// <summary>Where Debian installs it; <c>CIAF_CHROMIUM</c> overrides.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CIAF_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Whether the tests run under CI (where a missing browser is a failure).</summary>
    public static bool UnderCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (outside CI) or fails (under CI) when the browser is missing.</summary>
    public static void Require()
    {
        if (File.Exists(ExecutablePath)) return;
        string reason = $"Chromium is not installed at {ExecutablePath} (apt-get install -y chromium; .ci/run does it).";
        if (UnderCi) Assert.Fail(reason + " CI=true: the browser tests must run.");
        Skip.If(true, reason);
    }
}
