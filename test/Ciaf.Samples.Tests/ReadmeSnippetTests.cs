using System.Text.RegularExpressions;

namespace Ciaf.Samples.Tests;

/// <summary>
/// Every C# snippet of the README and of each package's README is the code of a sample (which the test command builds
/// and runs), so no snippet goes stale: each of its paragraphs appears, line for line (indentation aside), in one
/// sample's source files. And every sample is referenced from the README.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var readme in Readmes())
        {
            for (int i = 0; i < CSharpBlocks(readme).Count; i++) data.Add(Path.GetRelativePath(Repository.Root, readme), i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_IsTheCodeOfASample(string readme, int index)
    {
        var block = CSharpBlocks(Path.Combine(Repository.Root, readme))[index];
        var paragraphs = Paragraphs(block);
        var candidates = Repository.Samples.Select(sample => (sample, files: SampleLines(sample))).ToList();
        var found = candidates.FirstOrDefault(c => paragraphs.All(p => c.files.Any(lines => ContainsRun(lines, p))));
        Assert.True(found.sample is not null,
            $"snippet {index + 1} of {readme} is not the code of any sample under samples/ (each paragraph must appear in one sample's files):\n{block}");
    }

    [Fact]
    public void Snippets_AreFound()
    {
        // The README's first snippet, and one per package page at least.
        Assert.True(Snippets().Count >= 10, $"only {Snippets().Count} snippets found");
    }

    [Fact]
    public void EverySample_IsReferencedFromTheReadme_AndInTheSolution()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        string solution = File.ReadAllText(Path.Combine(Repository.Root, "CiafMetadata.slnx"));
        Assert.NotEmpty(Repository.Samples);
        foreach (var sample in Repository.Samples)
        {
            Assert.Contains($"samples/{sample}", readme, StringComparison.Ordinal);
            Assert.Contains($"samples/{sample}/{sample}.csproj", solution, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ContainsRun_NeedsTheLinesInOrderAndTogether()
    {
        string[] file = ["a", "b", "c"];
        Assert.True(ContainsRun(file, ["b", "c"]));
        Assert.False(ContainsRun(file, ["a", "c"]));
        Assert.False(ContainsRun(file, ["c", "b"]));
    }

    private static IEnumerable<string> Readmes() =>
        new[] { Path.Combine(Repository.Root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));

    private static List<string> CSharpBlocks(string readme) =>
        [.. CSharpBlock().Matches(File.ReadAllText(readme).ReplaceLineEndings("\n")).Select(m => m.Groups[1].Value)];

    /// <summary>The snippet's runs of non-blank lines, each line trimmed.</summary>
    private static List<string[]> Paragraphs(string block) =>
        [.. block.Split("\n\n").Select(p => p.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray()).Where(p => p.Length > 0)];

    private static List<string[]> SampleLines(string sample) =>
        [.. Directory.EnumerateFiles(Path.Combine(Repository.SamplesFolder, sample), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => File.ReadAllLines(f).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray())];

    private static bool ContainsRun(string[] lines, string[] run)
    {
        for (int start = 0; start + run.Length <= lines.Length; start++)
        {
            if (run.Select((line, i) => lines[start + i] == line).All(x => x)) return true;
        }
        return false;
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
