namespace Ciaf.Metadata.Governance;

/// <summary>
/// One Annex IV item being written: its lines, the records it cites (in order, once each), and what it lacks with the
/// method or command that records it. An item with nothing lacking and at least one record cited is evidenced.
/// </summary>
internal sealed class ItemDraft(ModelEvidence evidence)
{
    private readonly List<string> _lines = [];
    private readonly List<string> _evidence = [];
    private readonly List<string> _missing = [];
    private readonly List<string> _fills = [];
    private readonly List<string> _missingFacts = [];

    public void Line(string line) => _lines.Add(line);

    public void Cite(IEnumerable<MetadataRecord> records) => CiteIds(records.Select(r => r.Id));

    public void CiteIds(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            if (!_evidence.Contains(id)) _evidence.Add(id);
        }
    }

    public bool HasFact(string name) => evidence.Fact(name) is not null;

    /// <summary>Writes a declared fact as "label: value" and cites its record; a missing required fact makes the item a gap.</summary>
    public void Fact(string name, string label, bool required = true)
    {
        if (evidence.Fact(name) is { } f)
        {
            Line($"{label}: {EvidenceText.Fact(f.Value)}");
            Cite([f.Record]);
        }
        else if (required)
        {
            _missingFacts.Add(name);
        }
    }

    /// <summary>A requirement met by records: when <paramref name="met"/> is false the item is a gap, naming <paramref name="what"/> and <paramref name="fill"/>.</summary>
    public void Require(bool met, string what, string fill)
    {
        if (met) return;
        _missing.Add(what);
        _fills.Add(fill);
    }

    /// <summary>Says how many records of a source are not listed.</summary>
    public void More(RecordSource source, string what)
    {
        if (source.More > 0) Line($"(and {source.More} earlier {what} record(s), not listed)");
    }

    /// <summary>The versions recorded (first record of each) and the substantial modifications between them.</summary>
    public void Versions()
    {
        var versions = evidence.Initialized.Records.GroupBy(r => r.ModelVersion, StringComparer.Ordinal)
            .Select(g => $"{g.Key} (initialized {EvidenceText.Time(g.Min(r => r.Timestamp))})").ToList();
        if (versions.Count > 0) Line($"Versions recorded for {evidence.ModelName}: {string.Join(", ", versions)}.");
        Cite(evidence.Initialized.Records);
        if (evidence.Modifications.Total == 0)
        {
            Line("No substantial modification is recorded (`ciaf log modification` records one).");
            return;
        }
        Line($"Substantial modifications ({evidence.Modifications.Total}):");
        foreach (var m in evidence.Modifications.Records)
        {
            string from = GovernanceStore.Text(m.Metadata, "previous_version") is { } p ? $"{p} → " : "";
            Line($"- {EvidenceText.Time(m.Timestamp)}: {from}{m.ModelVersion}, triggered by {GovernanceStore.Text(m.Metadata, "trigger")}: {GovernanceStore.Text(m.Metadata, "description")}");
        }
        Cite(evidence.Modifications.Records);
    }

    /// <summary>The human oversight events of the version: how many, and the newest.</summary>
    public void Oversight()
    {
        var o = evidence.Oversight;
        if (o.Total == 0)
        {
            Line("No human oversight event is recorded for this version (`ciaf log oversight`, `manager.LogHumanOversight`).");
            return;
        }
        Line($"Human oversight in operation: {o.Total} verification(s) recorded; the newest:");
        foreach (var r in o.Records.TakeLast(5))
        {
            Line($"- {EvidenceText.Time(r.Timestamp)}: {GovernanceStore.Text(r.Metadata, "verified_by")} {GovernanceStore.Text(r.Metadata, "decision")}"
                + (GovernanceStore.Text(r.Metadata, "reason") is { } why ? $" ({why})" : ""));
        }
        Cite(o.Records.TakeLast(5));
    }

    /// <summary>The risk situations recorded for the version.</summary>
    public void Risks()
    {
        var risks = evidence.Risks;
        if (risks.Total == 0)
        {
            Line("No risk situation (Art. 79(1)) is recorded for this version (`ciaf log risk`, `manager.LogRiskSituation`).");
            return;
        }
        Line($"Risk situations recorded (Art. 79(1)): {risks.Total}; the newest:");
        foreach (var r in risks.Records.TakeLast(5))
        {
            Line($"- {EvidenceText.Time(r.Timestamp)}, {GovernanceStore.Text(r.Metadata, "severity")}: {GovernanceStore.Text(r.Metadata, "description")}");
        }
        Cite(risks.Records.TakeLast(5));
    }

    public AnnexIvItem Build(string id, string title)
    {
        var missing = _missing.Concat(_missingFacts.Select(f => $"the declared fact '{f}' ({DeclaredFacts.Find(f)!.Description.TrimEnd('.')})")).ToList();
        var fills = new List<string>(_fills);
        if (_missingFacts.Count > 0)
        {
            fills.Add($"`manager.LogDeclaredFacts(new {{ {string.Join(", ", _missingFacts.Select(f => $"{f} = \"…\""))} }})`");
            fills.Add($"`ciaf docs declare {evidence.ModelName} {string.Join(" ", _missingFacts.Select(f => $"--fact {f}=\"…\""))}`");
        }
        if (missing.Count == 0 && _evidence.Count == 0)
        {
            missing.Add("any record to generate it from");
        }
        if (missing.Count == 0) return new AnnexIvItem(id, title, AnnexIvItemStatus.Evidenced, _evidence, string.Join('\n', _lines));
        var text = new List<string> { $"Gap: missing {string.Join("; ", missing)}." };
        if (fills.Count > 0) text.Add($"Record it with {string.Join(" or ", fills)}.");
        text.AddRange(_lines);
        return new AnnexIvItem(id, title, AnnexIvItemStatus.Gap, _evidence, string.Join('\n', text));
    }
}
