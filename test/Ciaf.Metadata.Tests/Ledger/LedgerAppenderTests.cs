using System.Text;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>
/// <see cref="LedgerAppender"/>'s leaves made ahead (on another thread, while a write's rows go in): used only when the
/// log still has the size they were numbered from and the same drafts are appended, and then the same rows as an
/// append made inline.
/// </summary>
public sealed class LedgerAppenderTests
{
    [Fact]
    public async Task Append_WithLeavesMadeAhead_WritesWhatAnInlineAppendWrites()
    {
        var (ahead, aheadRows) = (new LedgerAppender(), new MemoryRows());
        var (inline, inlineRows) = (new LedgerAppender(), new MemoryRows());
        foreach (var (appender, rows) in new[] { (ahead, aheadRows), (inline, inlineRows) })
        {
            appender.Accept(appender.Append(rows, Drafts("first", 37)));
        }

        var drafts = Drafts("second", 100);
        var made = ahead.MakeAhead(drafts);
        Assert.NotNull(made);
        var pending = ahead.Append(aheadRows, drafts, made);
        var expected = inline.Append(inlineRows, drafts);

        Assert.Same((await made).Edge, pending.Edge); // what was made is what was used
        AssertSameLog(inlineRows, aheadRows);
        Assert.Equal(137, pending.Size);
        Assert.Equal(expected.Edge.Root(), pending.Edge.Root());
        Assert.Equal(LedgerNodes.Root(inlineRows, 137), pending.Edge.Root());
    }

    [Fact]
    public void Append_AfterAnotherWriterMovedTheLog_NumbersFromTheLogsSizeNotWhatWasMadeAhead()
    {
        var appender = new LedgerAppender();
        var rows = new MemoryRows();
        appender.Accept(appender.Append(rows, Drafts("first", 20)));
        var drafts = Drafts("second", 50);
        var made = appender.MakeAhead(drafts);
        // Another process appends meanwhile: the log is 25 leaves longer than this appender last saw.
        new LedgerAppender().Append(rows, Drafts("other", 25));

        var pending = appender.Append(rows, drafts, made);

        Assert.Equal(95, pending.Size);
        Assert.Contains("\"seq\":45,", rows.Leaves[45].Text, StringComparison.Ordinal);
        Assert.Equal(drafts[0].Text(45), rows.Leaves[45].Text);
        Assert.Equal(LedgerNodes.Root(rows, 95), pending.Edge.Root());
        var reference = new MemoryRows();
        new LedgerAppender().Append(reference, [.. Drafts("first", 20), .. Drafts("other", 25), .. drafts]);
        AssertSameLog(reference, rows);
    }

    [Fact]
    public async Task Append_OfFewerDraftsThanMadeAhead_MakesThemInline()
    {
        var appender = new LedgerAppender();
        var rows = new MemoryRows();
        appender.Accept(appender.Append(rows, Drafts("first", 10)));
        var drafts = Drafts("second", 40);
        var made = appender.MakeAhead(drafts);
        // One row changed nothing (an identical upsert): its leaf is not appended, and the ones after it move up.
        LeafDraft[] appended = [.. drafts.Where((_, i) => i != 3)];

        var pending = appender.Append(rows, appended, made);

        Assert.NotSame((await made!).Edge, pending.Edge);
        var reference = new MemoryRows();
        new LedgerAppender().Append(reference, [.. Drafts("first", 10), .. appended]);
        AssertSameLog(reference, rows);
        Assert.Equal(LedgerNodes.Root(reference, 49), pending.Edge.Root());
    }

    [Fact]
    public void MakeAhead_BeforeTheAppenderKnowsTheLogsSize_MakesNothing()
    {
        Assert.Null(new LedgerAppender().MakeAhead(Drafts("x", 5)));
        var appender = new LedgerAppender();
        appender.Accept(appender.Append(new MemoryRows(), Drafts("x", 5)));
        appender.Invalidate();
        Assert.Null(appender.MakeAhead(Drafts("y", 5)));
    }

    private static LeafDraft[] Drafts(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new LeafDraft(LedgerLeafKinds.Record, $"{prefix}-{i}",
            [new("content_sha256", Convert.ToHexStringLower(MerkleTree.LeafHash(Encoding.UTF8.GetBytes($"{prefix}{i}")))),
             new("timestamp", "2026-12-01T00:00:00+00:00")]))];

    private static void AssertSameLog(MemoryRows expected, MemoryRows actual)
    {
        Assert.Equal(expected.Leaves.Select(l => (l.Seq, l.Text, Convert.ToHexString(l.Hash))),
            actual.Leaves.Select(l => (l.Seq, l.Text, Convert.ToHexString(l.Hash))));
        Assert.Equal(expected.Nodes.OrderBy(n => (n.Key.Level, n.Key.Index)).Select(n => (n.Key, Convert.ToHexString(n.Value))),
            actual.Nodes.OrderBy(n => (n.Key.Level, n.Key.Index)).Select(n => (n.Key, Convert.ToHexString(n.Value))));
    }

    private sealed class MemoryRows : ILedgerRows
    {
        public List<(long Seq, string Text, byte[] Hash)> Leaves { get; } = [];

        public Dictionary<MerkleNode, byte[]> Nodes { get; } = [];

        public long Size() => Leaves.Count;

        public void AddLeaf(long seq, LeafDraft draft, string text, byte[] leafHash)
        {
            Assert.Equal(Leaves.Count, seq);
            Assert.Equal(Convert.ToHexString(MerkleTree.LeafHash(Encoding.ASCII.GetBytes(text))), Convert.ToHexString(leafHash));
            Leaves.Add((seq, text, leafHash));
        }

        public void AddNode(MerkleNode node, byte[] hash) => Nodes[node] = hash;

        public IReadOnlyList<byte[]> LeafHashes(long start, long end) =>
            [.. Leaves.Where(l => l.Seq >= start && l.Seq < end).Select(l => l.Hash)];

        public byte[]? StoredNode(MerkleNode node) => Nodes.GetValueOrDefault(node);
    }
}
