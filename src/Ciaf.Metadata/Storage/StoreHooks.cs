using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The validators and hooks registered on a store. Registration copies the arrays (rare); running reads a snapshot
/// (every save), so neither locks the save path.
/// </summary>
internal sealed class StoreHooks(ILogger logger)
{
    /// <summary>The hook event raised after a record is durable.</summary>
    public const string MetadataSavedEvent = "metadata_saved";

    /// <summary>The hook event raised after a compliance event is durable.</summary>
    public const string ComplianceEventAddedEvent = "compliance_event_added";

    private readonly Lock _lock = new();
    private Dictionary<string, Func<JsonObject, IEnumerable<string>>[]> _validators = new(StringComparer.Ordinal);
    private Action<MetadataRecord>[] _savedHooks = [];
    private Action<ComplianceEvent>[] _complianceHooks = [];

    /// <exception cref="ArgumentException">Empty stage.</exception>
    public void AddValidator(string stage, Func<JsonObject, IEnumerable<string>> validator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stage);
        ArgumentNullException.ThrowIfNull(validator);
        stage = NameRules.ForLookup(stage)!; // records store their stage in this form
        lock (_lock)
        {
            var copy = new Dictionary<string, Func<JsonObject, IEnumerable<string>>[]>(_validators, StringComparer.Ordinal);
            copy[stage] = [.. copy.GetValueOrDefault(stage, []), validator];
            _validators = copy;
        }
    }

    /// <exception cref="ArgumentException">Unknown event name (the only one is <see cref="MetadataSavedEvent"/>).</exception>
    public void AddSavedHook(string eventName, Action<MetadataRecord> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!string.Equals(eventName, MetadataSavedEvent, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Unknown hook event '{eventName}'. Valid: {MetadataSavedEvent} (and {ComplianceEventAddedEvent} through RegisterComplianceWebhook).", nameof(eventName));
        }
        lock (_lock) _savedHooks = [.. _savedHooks, hook];
    }

    public void AddComplianceHook(Action<ComplianceEvent> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        lock (_lock) _complianceHooks = [.. _complianceHooks, hook];
    }

    /// <summary>Whether any validator is registered, for any stage.</summary>
    public bool HasAnyValidators => Volatile.Read(ref _validators).Count > 0;

    /// <summary>Whether any validator applies to <paramref name="stage"/> (its own, or <c>"*"</c>).</summary>
    public bool HasValidators(string stage)
    {
        var validators = Volatile.Read(ref _validators);
        return validators.Count > 0 && (validators.ContainsKey(stage) || validators.ContainsKey("*"));
    }

    /// <summary>Runs every validator of the stage and of <c>"*"</c>.</summary>
    /// <exception cref="MetadataValidationException">Any validator returned an error; all of them are listed.</exception>
    public void Validate(string stage, JsonObject metadata)
    {
        var validators = Volatile.Read(ref _validators);
        var errors = new List<string>();
        foreach (var key in new[] { stage, "*" })
        {
            if (!validators.TryGetValue(key, out var list)) continue;
            foreach (var validator in list) errors.AddRange(validator(metadata) ?? []);
        }
        if (errors.Count > 0) throw new MetadataValidationException(stage, errors);
    }

    /// <summary>Runs the hooks for a durable batch; <paramref name="present"/> gives each record as a hook sees it.</summary>
    public void RunAfterWrite(WriteBatch batch, Func<MetadataRecord, MetadataRecord> present)
    {
        var savedHooks = Volatile.Read(ref _savedHooks);
        if (savedHooks.Length > 0)
        {
            foreach (var record in batch.Records)
            {
                // Each hook gets its own copy: one hook changing it cannot change what the next one sees.
                foreach (var hook in savedHooks) Run(hook, present(record), MetadataSavedEvent, record.Id);
            }
        }
        var complianceHooks = Volatile.Read(ref _complianceHooks);
        if (complianceHooks.Length > 0)
        {
            foreach (var ev in batch.Events)
            {
                foreach (var hook in complianceHooks) Run(hook, ev, ComplianceEventAddedEvent, ev.Id);
            }
        }
    }

    private void Run<T>(Action<T> hook, T argument, string eventName, string id)
    {
        try
        {
            hook(argument);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A {Event} hook threw for {Id}; the write is unaffected", eventName, id);
        }
    }
}
