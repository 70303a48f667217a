using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// The technical documentation of Annex IV of Regulation (EU) 2024/1689, generated from a store
/// (<see cref="AnnexIvDocumentation.BuildAsync"/>, <c>ciaf docs annex-iv</c>): every section 1–9 and every point,
/// each evidenced from cited records or marked as a gap. The same store state gives the same bytes in every format:
/// nothing in it depends on the clock; the signed checkpoint dates it.
/// </summary>
public sealed record AnnexIvPack
{
    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>The model version documented.</summary>
    public required string Version { get; init; }

    /// <summary>The signed checkpoint (a C2SP signed note) that covers every cited record, or null without a ledger.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Sections 1 to 9.</summary>
    public required IReadOnlyList<AnnexIvSection> Sections { get; init; }

    /// <summary>The ledger receipt of each cited record, by record id (checked offline with <c>ciaf verify-receipt</c>).</summary>
    public required IReadOnlyDictionary<string, LedgerReceipt> Receipts { get; init; }

    /// <summary>What limits the proofs (no ledger, records without a leaf), for the reader; empty when every cited record has a receipt.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Every item, in order.</summary>
    public IEnumerable<AnnexIvItem> Items => Sections.SelectMany(s => s.Items);

    /// <summary>The items that are gaps.</summary>
    public IReadOnlyList<AnnexIvItem> Gaps => [.. Items.Where(i => i.Status == AnnexIvItemStatus.Gap)];

    /// <summary>
    /// The pack as JSON: <c>{"model", "version", "checkpoint", "sections": [{"number", "title", "items": [{"id", "title",
    /// "status", "evidence", "text"}]}], "receipts": {"&lt;record id&gt;": &lt;receipt&gt;}}</c>, indented, ending with a newline.
    /// Each receipt is the document <c>ciaf prove ID</c> prints.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("model", Model);
            w.WriteString("version", Version);
            if (Checkpoint is null) w.WriteNull("checkpoint");
            else w.WriteString("checkpoint", Checkpoint);
            w.WriteStartArray("sections");
            foreach (var s in Sections)
            {
                w.WriteStartObject();
                w.WriteString("number", s.Number);
                w.WriteString("title", s.Title);
                w.WriteStartArray("items");
                foreach (var i in s.Items)
                {
                    w.WriteStartObject();
                    w.WriteString("id", i.Id);
                    w.WriteString("title", i.Title);
                    w.WriteString("status", StatusName(i.Status));
                    w.WriteStartArray("evidence");
                    foreach (var id in i.Evidence) w.WriteStringValue(id);
                    w.WriteEndArray();
                    w.WriteString("text", i.Text);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("receipts");
            foreach (var (id, receipt) in Receipts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WritePropertyName(id);
                using var doc = JsonDocument.Parse(receipt.ToJson());
                doc.RootElement.WriteTo(w);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The pack as Markdown: a summary, the checkpoint, each section and item with its evidence, then the receipts.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"# Technical documentation (EU AI Act, Annex IV): {Model} {Version}\n\n");
        sb.Append(Intro()).Append('\n');
        AppendSummaryMarkdown(sb);
        sb.Append("\nSigned checkpoint (C2SP signed note) dating this document:\n\n");
        sb.Append("```\n").Append(Checkpoint ?? "(none: the store keeps no ledger checkpoint covering this evidence)\n").Append("```\n");
        foreach (var note in Notes) sb.Append("\n> ").Append(note).Append('\n');
        foreach (var s in Sections)
        {
            sb.Append(c, $"\n## {s.Number}. {s.Title}\n");
            foreach (var i in s.Items)
            {
                sb.Append(c, $"\n### {i.Id} {i.Title}: {StatusName(i.Status)}\n");
                DocumentText.Markdown(sb, i.Text);
                if (i.Evidence.Count > 0) sb.Append("\nEvidence: ").Append(string.Join(", ", i.Evidence.Select(Cite))).Append('\n');
            }
        }
        sb.Append("\n## Receipts\n\nEach cited record's ledger receipt; save one as a file and check it offline with `ciaf verify-receipt FILE --key PUBLIC.pem`.\n");
        foreach (var (id, receipt) in Receipts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(c, $"\n### `{id}`\n\n```json\n{receipt.ToJson()}```\n");
        }
        return sb.ToString();
    }

    /// <summary>The pack as a standalone HTML page (every value encoded).</summary>
    public string ToHtml()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(DocumentText.HtmlHead($"Technical documentation (EU AI Act, Annex IV): {Model} {Version}"));
        sb.Append(c, $"<h1>Technical documentation (EU AI Act, Annex IV): {DocumentText.E(Model)} {DocumentText.E(Version)}</h1>\n");
        sb.Append(c, $"<p>{DocumentText.Code(Intro())}</p>\n");
        sb.Append("<table>\n<tr><th>Item</th><th>Status</th><th>Records cited</th></tr>\n");
        foreach (var i in Items)
        {
            sb.Append(c, $"<tr><td><a href=\"#item-{Anchor(i.Id)}\">{DocumentText.E(i.Id)}</a></td><td class=\"{StatusName(i.Status)}\">{StatusName(i.Status)}</td><td>{i.Evidence.Count}</td></tr>\n");
        }
        sb.Append("</table>\n<p>Signed checkpoint (C2SP signed note) dating this document:</p>\n");
        sb.Append(c, $"<pre>{DocumentText.E(Checkpoint ?? "(none: the store keeps no ledger checkpoint covering this evidence)\n")}</pre>\n");
        foreach (var note in Notes) sb.Append(c, $"<p><em>{DocumentText.Code(note)}</em></p>\n");
        foreach (var s in Sections)
        {
            sb.Append(c, $"<h2>{DocumentText.E(s.Number)}. {DocumentText.E(s.Title)}</h2>\n");
            foreach (var i in s.Items)
            {
                sb.Append(c, $"<h3 id=\"item-{Anchor(i.Id)}\">{DocumentText.E(i.Id)} {DocumentText.E(i.Title)}: <span class=\"{StatusName(i.Status)}\">{StatusName(i.Status)}</span></h3>\n");
                DocumentText.Html(sb, i.Text);
                if (i.Evidence.Count > 0)
                {
                    sb.Append("<p>Evidence: ").Append(string.Join(", ", i.Evidence.Select(id => Receipts.ContainsKey(id)
                        ? $"<a href=\"#receipt-{DocumentText.E(id)}\"><code>{DocumentText.E(id)}</code></a>" : $"<code>{DocumentText.E(id)}</code>"))).Append("</p>\n");
                }
            }
        }
        sb.Append("<h2>Receipts</h2>\n<p>Each cited record's ledger receipt; save one as a file and check it offline with <code>ciaf verify-receipt FILE --key PUBLIC.pem</code>.</p>\n");
        foreach (var (id, receipt) in Receipts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(c, $"<h3 id=\"receipt-{DocumentText.E(id)}\"><code>{DocumentText.E(id)}</code></h3>\n<pre>{DocumentText.E(receipt.ToJson())}</pre>\n");
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>An item status's name in the documents: <c>evidenced</c> or <c>gap</c>.</summary>
    public static string StatusName(AnnexIvItemStatus status) => status == AnnexIvItemStatus.Evidenced ? "evidenced" : "gap";

    private string Intro() =>
        "Generated from the CIAF metadata store. Each item is either evidenced — its text generated from the records it cites, each with a "
        + "ledger receipt (see Receipts) — or a gap, which says what is missing and the method or command that records it. This document "
        + "does not decide whether the system is high-risk or whether it conforms: see docs/governance.md.";

    private void AppendSummaryMarkdown(StringBuilder sb)
    {
        var items = Items.ToList();
        var gaps = Gaps;
        sb.Append(CultureInfo.InvariantCulture, $"\n{items.Count - gaps.Count} of {items.Count} items evidenced");
        sb.Append(gaps.Count == 0 ? ".\n" : $"; gaps: {string.Join(", ", gaps.Select(g => g.Id))}.\n");
    }

    private string Cite(string id) => Receipts.TryGetValue(id, out var r)
        ? string.Create(CultureInfo.InvariantCulture, $"`{id}` (leaf {r.LeafIndex})")
        : $"`{id}`";

    private static string Anchor(string id) => id.Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal);
}
