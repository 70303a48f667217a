using System.Text.RegularExpressions;

namespace Ciaf.Samples.Tests;

/// <summary>The version lives in one place (Directory.Build.props) and the changelog names it.</summary>
public sealed partial class ReleaseTests
{
    [Fact]
    public void Changelog_KeepsAChangelogFormat_AndItsNewestReleaseIsTheBuildVersion()
    {
        string props = File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props"));
        string version = VersionPrefix().Match(props).Groups[1].Value;
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);

        string changelog = File.ReadAllText(Path.Combine(Repository.Root, "CHANGELOG.md")).ReplaceLineEndings("\n");
        Assert.StartsWith("# Changelog\n", changelog, StringComparison.Ordinal);
        Assert.Contains("## [Unreleased]", changelog, StringComparison.Ordinal);
        var releases = Release().Matches(changelog).Select(m => m.Groups[1].Value).ToList();
        Assert.True(releases.Count > 0, "no '## [x.y.z] - YYYY-MM-DD' release heading");
        Assert.Equal(version, releases[0]);
        foreach (var release in releases)
        {
            Assert.Contains($"\n[{release}]: ", changelog, StringComparison.Ordinal);   // every release heading links somewhere
        }
    }

    [Fact]
    public void BuiltAssemblies_CarryTheVersion()
    {
        string props = File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props"));
        string version = VersionPrefix().Match(props).Groups[1].Value;
        Assert.Equal(version, typeof(Ciaf.Metadata.MetadataStorage).Assembly.GetName().Version!.ToString(3));
    }

    [GeneratedRegex(@"<VersionPrefix>([^<]+)</VersionPrefix>")]
    private static partial Regex VersionPrefix();

    [GeneratedRegex(@"^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$", RegexOptions.Multiline)]
    private static partial Regex Release();
}
