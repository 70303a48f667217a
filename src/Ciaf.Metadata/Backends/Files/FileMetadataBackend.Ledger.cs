using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Files;

// The ledger of the file backends (docs/ledger.md), in <root>/ledger/, a folder the Python reference ignores (it holds
// no .json or .pkl file):
//
//   leaves.jsonl          one leaf text per line, line n = leaf n (FileLedgerLog; leaf hashes are recomputed on load)
//   genesis               the log is active: created with an empty store, or by `ciaf ledger init` (AdoptAsync)
//   checkpoints/<size>.txt  the signed checkpoints, one file per tree size, never rewritten
//   pending.jsonl         the intent of the write under way (below)
//   .lock                 the store lock
//
// One order for every process: a write of an active log runs under the store lock (<root>/ledger/.lock, FileShare.None
// as for the audit trail, plus a semaphore in this process), which numbers its leaves from the log's size.
//
// Crash safety. Files cannot change together, so a write goes in four steps, each durable before the next:
//   1. the intent: every leaf of the batch (before its seq is final) with what its write leaves on disk (a file holding
//      exactly these bytes, a file gone, an audit file holding this line), written atomically to pending.jsonl;
//   2. the writes of the items;
//   3. the leaves appended to leaves.jsonl (flushed to disk);
//   4. pending.jsonl deleted.
// Whoever takes the lock next (or opens the store) and finds pending.jsonl resolves it: a last line of leaves.jsonl
// without its '\n' is cut; if leaves.jsonl already grew past the intent's first seq, step 3 had begun (so step 2 was
// done) and the rest of the intent's leaves are appended; otherwise each leaf whose write is on disk exactly is kept,
// the others are dropped, and the kept ones are renumbered, written back as the intent (decided: nothing left to check)
// and appended. A write that fails without a crash is resolved the same way at once. So the log never holds a leaf
// whose write did not happen, and no write done under the lock stays without its leaf.
public abstract partial class FileMetadataBackend : ILedgerBackend, IWriteLockBackend
{
    private const string LeavesFileName = "leaves.jsonl";
    private const string IntentFileName = "pending.jsonl";
    private const string GenesisFileName = "genesis";
    private const string CheckpointsFolderName = "checkpoints";
    private const string CheckpointExtension = ".txt";

    private readonly SemaphoreSlim _ledgerLock = new(1, 1);
    private bool _ledgerActive;

    /// <summary>For tests: called at each step of a logged write ("intent", "applied" after each item, "appended"), under the store lock.</summary>
    internal Action<string>? LedgerStepHook { get; set; }

    private string LedgerFolder => Path.Combine(_root, StoreFolders.Ledger);

    private string IntentPath => Path.Combine(LedgerFolder, IntentFileName);

    private string GenesisPath => Path.Combine(LedgerFolder, GenesisFileName);

    private string CheckpointsFolder => Path.Combine(LedgerFolder, CheckpointsFolderName);

    // What must be on disk for a leaf's write to have happened: Path (relative to the root, '/'-separated) holds exactly
    // the bytes hashing to Sha256, or is absent (Sha256 null), or (Line) holds a line hashing to it.
    private readonly record struct LedgerEffect(string Path, string? Sha256, bool Line = false);

    // One item of a logged write: its leaf (none when the log is not active or the item changes nothing), what it leaves
    // on disk, and the write itself.
    private readonly record struct LoggedWrite(LeafDraft? Leaf, LedgerEffect[] Effects, Action Apply);

    private readonly record struct IntentEntry(long Seq, LeafDraft Draft, LedgerEffect[] Effects);

    /// <inheritdoc />
    ValueTask<LedgerHead> ILedgerBackend.LedgerHeadAsync(CancellationToken cancellationToken)
    {
        EnsureOpen();
        return ValueTask.FromResult(new LedgerHead(_ledgerActive || File.Exists(GenesisPath), RefreshLedger()));
    }

    /// <inheritdoc />
    ValueTask<T> ILedgerBackend.ReadLedgerAsync<T>(Func<ILedgerReader, T> read, CancellationToken cancellationToken)
    {
        EnsureOpen();
        RefreshLedger();
        try
        {
            return ValueTask.FromResult(read(_ledgerLog));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"The {Name} backend could not read its ledger: {ex.Message}", _ledgerLog.Path, null, ex);
        }
    }

    /// <inheritdoc />
    async ValueTask<long> ILedgerBackend.AdoptAsync(string timestamp, CancellationToken cancellationToken)
    {
        EnsureOpen();
        ThrowIfReadOnly("adopt the store into the ledger");
        using var held = await EnterLedgerAsync(cancellationToken).ConfigureAwait(false);
        // Active first: should this crash before the adopted leaves are appended, a second `ciaf ledger init` adopts what has none.
        WriteGenesis(timestamp);
        var known = _ledgerLog.KnownIds();
        var writes = new List<LoggedWrite>();
        void Adopt(LeafDraft draft)
        {
            if (known.Add(draft.Id)) writes.Add(new LoggedWrite(draft, [], static () => { }));
        }
        await foreach (var entry in ScanAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Record is { } record) Adopt(LeafDraft.ForAdopted(LeafDraft.OfRecord, record.Id, LeafDraft.ContentHash(record), timestamp));
        }
        await foreach (var ev in QueryComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false))
            Adopt(LeafDraft.ForAdopted(LeafDraft.OfComplianceEvent, ev.Id, LeafDraft.ContentHash(ev), timestamp));
        foreach (var (key, value) in await ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false))
            Adopt(LeafDraft.ForHold(key, value, timestamp));
        RunLogged(writes, CancellationToken.None);
        return writes.Count;
    }

    /// <inheritdoc />
    /// <remarks>No intent is needed: nothing but the log changes, and a partial last line is cut when the lock is next taken.</remarks>
    async ValueTask ILedgerBackend.CarryAsync(IReadOnlyList<LedgerLeafRow> leaves, CancellationToken cancellationToken)
    {
        EnsureOpen();
        if (leaves.Count == 0) return;
        ThrowIfReadOnly("copy leaves into the ledger");
        if (!_context.LedgerEnabled) throw new InvalidOperationException("The ledger is off for this store (ledger_enabled is false): it cannot take another log's leaves.");
        using var held = await EnterLedgerAsync(cancellationToken).ConfigureAwait(false);
        long size = RefreshLedger();
        var texts = leaves.Select((leaf, i) => LeafDraft.CopiedFrom(leaf).Text(size + i)).ToList();
        WriteGenesis(LeafDraft.Now());
        AppendLeaves(texts);
    }

    /// <inheritdoc />
    ValueTask ILedgerBackend.AddCheckpointAsync(long treeSize, string note, string createdAt, CancellationToken cancellationToken)
    {
        EnsureOpen();
        string path = Path.Combine(CheckpointsFolder, treeSize.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + CheckpointExtension);
        if (!File.Exists(path)) WriteFileAtomically(path, System.Text.Encoding.UTF8.GetBytes(note), $"checkpoint {treeSize}");
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    async ValueTask<IReadOnlyList<string>> ILedgerBackend.CheckpointsAsync(CancellationToken cancellationToken)
    {
        EnsureOpen();
        var notes = new List<string>();
        foreach (var path in EnumerateFilesSafe(CheckpointsFolder, reportErrors: true).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            if (name.Length != 12 + CheckpointExtension.Length || !name.EndsWith(CheckpointExtension, StringComparison.Ordinal)
                || !name[..12].All(char.IsAsciiDigit))
            {
                continue;
            }
            if (await ReadFileAsync(path, cancellationToken).ConfigureAwait(false) is { } content) notes.Add(System.Text.Encoding.UTF8.GetString(content));
        }
        return notes;
    }

    /// <inheritdoc />
    /// <remarks>With the ledger off nothing is held: each file is written atomically on its own, and no write spans two.</remarks>
    async ValueTask<IDisposable> IWriteLockBackend.HoldWritesAsync(CancellationToken cancellationToken)
    {
        EnsureOpen();
        if (!_context.LedgerEnabled || IsReadOnly) return new LedgerLockHandle(null, null);
        return await EnterLedgerAsync(cancellationToken).ConfigureAwait(false);
    }

    // On first use (EnsureOpen): a store opened for the first time with the ledger and empty starts its log now (one
    // with records or events from before waits for `ciaf ledger init`); an intent left by a crash is resolved.
    private void OpenLedger()
    {
        if (!_context.LedgerEnabled || IsReadOnly) return;
        bool fresh = !Directory.Exists(LedgerFolder);
        if (!fresh && !File.Exists(IntentPath)) return;
        using var held = EnterLedger();
        if (fresh && !File.Exists(GenesisPath) && _ledgerLog.Refresh() == 0 && StoreIsEmpty()) WriteGenesis(LeafDraft.Now());
    }

    private bool StoreIsEmpty() =>
        ModelFolders().All(folder => ListFolder(folder, reportErrors: false).Count == 0)
        && EnumerateFilesSafe(_eventsFolder, reportErrors: false).All(p => !Path.GetFileName(p).EndsWith(ComplianceEventExtension, StringComparison.Ordinal));

    private void WriteGenesis(string timestamp)
    {
        if (!File.Exists(GenesisPath)) WriteFileAtomically(GenesisPath, System.Text.Encoding.ASCII.GetBytes(timestamp + "\n"), "ledger genesis");
        _ledgerActive = true;
    }

    private long RefreshLedger()
    {
        try
        {
            return _ledgerLog.Refresh();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"The {Name} backend could not read its ledger: {ex.Message}", _ledgerLog.Path, null, ex);
        }
    }

    // ------------------------------------------------------------------ logged writes

    /// <summary>
    /// Runs a write: <paramref name="plan"/> is told whether the log is active and returns the items (their leaves and
    /// effects only when it is), then they are applied with the intent protocol above. With the ledger off for this
    /// store, or in a read-only one (another program's, where only the audit trail is written), no lock is taken and
    /// nothing is appended.
    /// </summary>
    private void WriteLogged(Func<bool, IReadOnlyList<LoggedWrite>> plan, CancellationToken cancellationToken)
    {
        if (!_context.LedgerEnabled || IsReadOnly)
        {
            Apply(plan(false), cancellationToken);
            return;
        }
        using var held = EnterLedger();
        // Another process may have adopted the store since this one opened it: asked again under the lock until active.
        bool active = _ledgerActive || (_ledgerActive = File.Exists(GenesisPath));
        var writes = plan(active);
        if (active) RunLogged(writes, cancellationToken);
        else Apply(writes, cancellationToken);
    }

    private static void Apply(IReadOnlyList<LoggedWrite> writes, CancellationToken cancellationToken)
    {
        foreach (var write in writes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            write.Apply();
        }
    }

    // Under the store lock, the log active: the four steps.
    private void RunLogged(IReadOnlyList<LoggedWrite> writes, CancellationToken cancellationToken)
    {
        long first = RefreshLedger();
        var entries = new List<IntentEntry>(writes.Count);
        foreach (var write in writes)
        {
            if (write.Leaf is { } leaf) entries.Add(new IntentEntry(first + entries.Count, leaf, write.Effects));
        }
        if (entries.Count == 0)
        {
            Apply(writes, cancellationToken);
            return;
        }
        WriteIntent(entries);
        LedgerStepHook?.Invoke("intent");
        try
        {
            foreach (var write in writes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                write.Apply();
                LedgerStepHook?.Invoke("applied");
            }
        }
        catch
        {
            // What was written keeps its leaf, the rest gets none. Should that fail too, the write's own error is the one
            // to report: the intent stays and the next holder of the lock resolves it.
            try
            {
                ResolveIntent();
            }
            catch (MetadataStorageException)
            {
            }
            throw;
        }
        AppendLeaves([.. entries.Select(e => e.Draft.Text(e.Seq))]);
        LedgerStepHook?.Invoke("appended");
        DeleteFile(IntentPath, "ledger intent");
    }

    private void ResolveIntent()
    {
        var entries = ReadIntent();
        long size = RefreshLedger();
        List<string> texts;
        if (entries.Count > 0 && size > entries[0].Seq)
        {
            // The append had begun: every write was done; append what is missing.
            texts = [.. entries.Skip((int)Math.Min(size - entries[0].Seq, entries.Count)).Select((e, i) => e.Draft.Text(size + i))];
        }
        else
        {
            var kept = entries.Where(e => e.Effects.All(EffectHolds)).Select((e, i) => new IntentEntry(size + i, e.Draft, [])).ToList();
            if (kept.Count > 0) WriteIntent(kept);
            texts = [.. kept.Select(e => e.Draft.Text(e.Seq))];
        }
        AppendLeaves(texts);
        DeleteFile(IntentPath, "ledger intent");
    }

    private void AppendLeaves(IReadOnlyList<string> texts)
    {
        try
        {
            _ledgerLog.Append(texts);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"The {Name} backend could not append {texts.Count} leaf(s) to its ledger: {ex.Message}", _ledgerLog.Path, null, ex);
        }
    }

    private bool EffectHolds(LedgerEffect effect)
    {
        string full = Path.GetFullPath(Path.Combine(_root, effect.Path));
        if (!full.StartsWith(_rootWithSeparator, StringComparison.Ordinal)) return false; // an intent edited to point elsewhere
        if (effect.Sha256 is null) return !File.Exists(full) && !Directory.Exists(full);
        byte[]? content = ReadFile(full, out _);
        if (content is null) return false;
        if (!effect.Line) return Sha256Hex(content) == effect.Sha256;
        foreach (var range in content.AsSpan().Split((byte)'\n'))
        {
            if (Sha256Hex(content.AsSpan(range)) == effect.Sha256) return true;
        }
        return false;
    }

    private static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    // The effect of writing `content` to `path`, or of deleting `path` (content null).
    private LedgerEffect Effect(string path, byte[]? content) => new(Relative(path), content is null ? null : Sha256Hex(content));

    private string Relative(string path) => Path.GetRelativePath(_root, path).Replace('\\', '/');

    // ------------------------------------------------------------------ the intent file

    private void WriteIntent(IReadOnlyList<IntentEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var entry in entries)
        {
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("seq", entry.Seq);
                w.WriteString("kind", entry.Draft.Kind);
                w.WriteString("id", entry.Draft.Id);
                w.WriteStartArray("fields");
                foreach (var (key, value) in entry.Draft.Fields)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(key);
                    w.WriteStringValue(value);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteStartArray("effects");
                foreach (var effect in entry.Effects)
                {
                    w.WriteStartObject();
                    w.WriteString("path", effect.Path);
                    w.WriteString("sha256", effect.Sha256);
                    w.WriteBoolean("line", effect.Line);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            buffer.Write("\n"u8);
        }
        WriteFileAtomically(IntentPath, buffer.WrittenSpan.ToArray(), "ledger intent");
    }

    // The intent is written atomically, so it is whole; one that cannot be read was edited: reported, and resolved as empty.
    private List<IntentEntry> ReadIntent()
    {
        var entries = new List<IntentEntry>();
        if (ReadFile(IntentPath, out _) is not { } content) return entries;
        try
        {
            foreach (var range in content.AsSpan().Split((byte)'\n'))
            {
                if (range.End.GetOffset(content.Length) == range.Start.GetOffset(content.Length)) continue;
                using var doc = JsonDocument.Parse(content.AsMemory()[range]);
                var root = doc.RootElement;
                var fields = root.GetProperty("fields").EnumerateArray()
                    .Select(f => new KeyValuePair<string, string?>(f[0].GetString()!, f[1].GetString())).ToList();
                var effects = root.GetProperty("effects").EnumerateArray()
                    .Select(e => new LedgerEffect(e.GetProperty("path").GetString()!, e.GetProperty("sha256").GetString(), e.GetProperty("line").GetBoolean())).ToArray();
                entries.Add(new IntentEntry(root.GetProperty("seq").GetInt64(),
                    new LeafDraft(root.GetProperty("kind").GetString()!, root.GetProperty("id").GetString()!, fields), effects));
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            ReportCorrupt(IntentPath, ex);
            entries.Clear();
        }
        return entries;
    }

    // ------------------------------------------------------------------ the store lock

    private sealed class LedgerLockHandle(SemaphoreSlim? semaphore, FileStream? file) : IDisposable
    {
        public void Dispose()
        {
            file?.Dispose();
            semaphore?.Release();
        }
    }

    private LedgerLockHandle EnterLedger()
    {
        _ledgerLock.Wait();
        try
        {
            string path = LedgerLockPath();
            var started = Stopwatch.StartNew();
            FileStream? file;
            for (int attempt = 0; (file = TryLockFile(path, "the ledger", null, started)) is null; attempt++) Thread.Sleep(LockRetryDelay(attempt));
            return Recovered(file);
        }
        catch
        {
            _ledgerLock.Release();
            throw;
        }
    }

    private async Task<LedgerLockHandle> EnterLedgerAsync(CancellationToken cancellationToken)
    {
        await _ledgerLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Recovered(await AcquireFileLockAsync(LedgerLockPath(), "the ledger", null, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            _ledgerLock.Release();
            throw;
        }
    }

    private string LedgerLockPath()
    {
        try
        {
            Directory.CreateDirectory(LedgerFolder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"The {Name} backend could not create the ledger folder '{LedgerFolder}': {ex.Message}", LedgerFolder, null, ex);
        }
        return Path.Combine(LedgerFolder, LockFileName);
    }

    // Just locked: whatever a crashed writer left is settled before anything else.
    private LedgerLockHandle Recovered(FileStream file)
    {
        try
        {
            _ledgerLog.TrimPartialLine();
            if (File.Exists(IntentPath)) ResolveIntent();
            return new LedgerLockHandle(_ledgerLock, file);
        }
        catch (Exception ex)
        {
            file.Dispose();
            if (ex is IOException or UnauthorizedAccessException)
                throw Fail($"The {Name} backend could not recover its ledger: {ex.Message}", LedgerFolder, null, ex);
            throw;
        }
    }
}
