using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Interop.OpenLineage;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ciaf.Metadata.Capture;

/// <summary>
/// Captures one unit of work as a metadata record: a <c>using</c> scope (or <c>await using</c>),
/// <see cref="Run{T}"/>/<see cref="RunAsync{T}"/>, or <see cref="Intercept{T}"/> over an interface.
/// On disposal it records <c>execution_time</c> (seconds, monotonic clock), <c>capture_id</c>,
/// <c>parent_capture_id</c> (the enclosing capture, flowing across <c>await</c>), <c>trace_id</c> and
/// <c>span_id</c> (each capture runs in an <see cref="Activity"/> of the <c>Ciaf.Metadata</c> source), and saves.
/// After an error (<see cref="RecordError"/>, automatic in Run/RunAsync/Intercept) it adds
/// <c>error = {type, message, traceback}</c> and saves the event as <c>&lt;event_type&gt;_error</c>.
/// </summary>
/// <remarks>
/// A capture never changes the result or the exception of the code it wraps: if saving fails (store down,
/// validator rejects, unserializable value), the failure is logged through <see cref="LoggerFactory"/>
/// and counted in <see cref="SaveFailures"/>, never thrown. A <c>using</c> scope cannot see an exception
/// leaving its block; record it with an exception filter that never catches:
/// <c>catch (Exception ex) when (capture.RecordError(ex)) { }</c>.
/// Values given to <see cref="AddMetadata"/> and <see cref="UpdateMetadata"/> are kept by reference and read when the
/// capture ends, on the thread that ends it; a capture holding object graphs saves them through the store's fast lane
/// (one walk, no JSON nodes), with the same stored JSON as a capture always had.
/// </remarks>
public sealed class MetadataCapture : IDisposable, IAsyncDisposable
{
    /// <summary>The name of the <see cref="ActivitySource"/> captures run in: <c>Ciaf.Metadata</c>.</summary>
    public const string ActivitySourceName = MetadataTelemetry.ActivitySourceName;

    private static readonly AsyncLocal<MetadataCapture?> CurrentCapture = new();
    private static long _saveFailures;

    private readonly MetadataStorage? _storage;
    private readonly long _startTimestamp;
    private readonly MetadataCapture? _parent;
    private readonly Activity _activity; // started for every scope: its W3C ids are in the record
    private readonly OpenLineageEmitter? _lineage;
    private readonly Lock _lock = new();
    private List<CapturedField> _metadata = [];
    private readonly DateTimeOffset _startedAt;
    private DateTimeOffset _endedAt;
    private double _seconds;
    private Exception? _error;
    private int _completed;
    private bool _isUse;
    private object? _useContext;

    /// <summary>Starts a capture; it becomes <see cref="Current"/> until disposed.</summary>
    /// <param name="modelName">The model the record belongs to.</param>
    /// <param name="stage">The pipeline stage.</param>
    /// <param name="eventType">The event type (<c>_error</c> is appended after an error).</param>
    /// <param name="storage">The store; default: the process-wide default store.</param>
    /// <param name="details">A description stored with the record.</param>
    /// <exception cref="ArgumentException">A name is empty.</exception>
    public MetadataCapture(string modelName, string stage, string eventType, MetadataStorage? storage = null, string? details = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(stage);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventType);
        ModelName = modelName;
        Stage = stage;
        EventType = eventType;
        Details = details;
        _storage = storage;
        _parent = CurrentCapture.Value;
        _activity = StartActivity(modelName, stage, eventType);
        _startedAt = new DateTimeOffset(_activity.StartTimeUtc, TimeSpan.Zero); // the activity's own reading of the clock
        _startTimestamp = Stopwatch.GetTimestamp();
        CaptureId = Uuid7.NewString(_startedAt);
        CurrentCapture.Value = this;
        // The default store is asked only if it exists already: starting a capture must not open it (or fail doing so).
        _lineage = (storage ?? IntegrationSettings.DefaultStorageIfCreated)?.OpenLineage;
        _lineage?.CaptureStarted(this, _parent);
    }

    /// <summary>The activity source every capture starts its <see cref="Activity"/> from.</summary>
    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    /// <summary>Where captures log save failures (default: nowhere). Set once at start-up.</summary>
    public static ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>How many captures failed to save in this process (each was logged, none was thrown).</summary>
    public static long SaveFailures => Interlocked.Read(ref _saveFailures);

    /// <summary>The innermost active capture of the current async flow, or null.</summary>
    public static MetadataCapture? Current => CurrentCapture.Value;

    /// <summary>This capture's id, recorded as <c>capture_id</c> (and as <c>parent_capture_id</c> by nested captures).</summary>
    public string CaptureId { get; }

    /// <summary>The enclosing capture's id, or null.</summary>
    public string? ParentCaptureId => _parent?.CaptureId;

    /// <summary>The model name.</summary>
    public string ModelName { get; }

    /// <summary>The stage.</summary>
    public string Stage { get; }

    /// <summary>The event type as given (the saved one gets <c>_error</c> appended after an error).</summary>
    public string EventType { get; }

    /// <summary>The description stored with the record.</summary>
    public string? Details { get; }

    /// <summary>The saved record's id, once disposal saved it; null before, or when the save failed.</summary>
    public string? MetadataId { get; private set; }

    /// <summary>The W3C trace id of the capture's activity.</summary>
    public string? TraceId => _activity.TraceId.ToHexString();

    /// <summary>The W3C span id of the capture's activity.</summary>
    public string? SpanId => _activity.SpanId.ToHexString();

    /// <summary>
    /// Adds (or replaces, keeping its place) one metadata field. The value is kept by reference and read when the capture
    /// ends: it is stored whole when it serializes, else summarized (<c>&lt;Type&gt;</c>, <c>&lt;Type[count]&gt;</c>).
    /// </summary>
    /// <param name="key">The field name.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    public void AddMetadata(string key, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_lock)
        {
            Put(new CapturedField(key, value, null));
        }
    }

    /// <summary>
    /// Adds (or replaces) every top-level member of <paramref name="metadata"/>, like Python's <c>dict.update</c>: the members
    /// of an anonymous object or POCO (read now, through the same contract the store writes with: <c>[JsonPropertyName]</c>
    /// and <c>[JsonIgnore]</c> apply), the entries of a <c>Dictionary&lt;string, T&gt;</c> or <c>IDictionary&lt;string, object?&gt;</c>,
    /// the members of a <see cref="JsonObject"/>.
    /// </summary>
    /// <remarks>
    /// Like <see cref="AddMetadata"/>, the members are kept by reference and their values read when the capture ends (a list
    /// filled in afterwards is stored filled in); each is stored as <c>JsonSerializer</c> writes it as a member of
    /// <paramref name="metadata"/>, or summarized if it cannot be serialized. A <see cref="JsonElement"/> or
    /// <see cref="JsonDocument"/> (which lives only as long as its document) and any other dictionary type are copied now.
    /// </remarks>
    /// <param name="metadata">The fields to add; null adds nothing.</param>
    /// <exception cref="ArgumentException">
    /// The value is not an object (a string, a list, a number), a member's getter threw, a key is empty, or (for a copied
    /// value) it cannot be serialized. Nothing is added.
    /// </exception>
    public void UpdateMetadata(object? metadata)
    {
        var fields = MembersOf(metadata);
        foreach (var field in fields)
        {
            if (string.IsNullOrEmpty(field.Key))
            {
                throw new ArgumentException("The metadata has a member with an empty name.", nameof(metadata));
            }
        }
        lock (_lock)
        {
            if (_metadata.Count == 0)
            {
                _metadata = fields; // the first fields: taken as they are (their keys are distinct)
                return;
            }
            foreach (var field in fields)
            {
                Put(field);
            }
        }
    }

    private void Put(CapturedField field)
    {
        // A loop, not FindIndex: a lambda capturing the field would be allocated on every call.
        for (int i = 0; i < _metadata.Count; i++)
        {
            if (_metadata[i].Key == field.Key)
            {
                _metadata[i] = field;
                return;
            }
        }
        _metadata.Add(field);
    }

    // The top-level members of an UpdateMetadata payload, by reference where the payload's members can be read as the
    // serializer would read them (so that they are stored as before: JsonSerializer's rendering of the whole payload).
    private static List<CapturedField> MembersOf(object? metadata)
    {
        var fields = new List<CapturedField>();
        switch (metadata)
        {
            case null:
                return fields;
            case JsonObject obj:
                // Stored as the nodes themselves (AddMetadata's rule: the same as a copy of them).
                foreach (var (key, value) in obj) fields.Add(new(key, value, null));
                return fields;
            case IDictionary<string, object?> or IReadOnlyDictionary<string, object?>
                when MetadataConverter.ContractKind(metadata.GetType()) == JsonTypeInfoKind.Dictionary:
                foreach (var (key, value) in (IEnumerable<KeyValuePair<string, object?>>)metadata) fields.Add(new(key, value, typeof(object)));
                return fields;
            case IDictionary dictionary when metadata.GetType() is { IsGenericType: true } t
                && t.GetGenericTypeDefinition() == typeof(Dictionary<,>) && t.GetGenericArguments()[0] == typeof(string):
            {
                var valueType = t.GetGenericArguments()[1];
                foreach (DictionaryEntry entry in dictionary) fields.Add(new((string)entry.Key, entry.Value, valueType));
                return fields;
            }
        }
        if (metadata is not (JsonNode or JsonElement or JsonDocument or IEnumerable)
            && MetadataConverter.ObjectContract(metadata.GetType()) is { SerializedAsDeclared: true } contract)
        {
            fields.Capacity = contract.Declared.Length;
            foreach (var property in contract.Declared)
            {
                object? value;
                try
                {
                    value = property.Get!(metadata);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    throw new ArgumentException($"The metadata cannot be serialized: reading {property.Name} threw {ex.GetType().Name}: {ex.Message}", nameof(metadata), ex);
                }
                if (property.ShouldSerialize is { } should && !should(metadata, value)) continue; // as the serializer skips it
                fields.Add(new(property.Name, value, property.PropertyType));
            }
            return fields;
        }
        // Anything else is copied now, as every payload was before (and refused the same way when it is not an object).
        JsonObject copy;
        try
        {
            copy = Compliance.EvidenceReader.ToJsonObject(metadata, nameof(metadata));
        }
        catch (Exception ex) when (ex is not ArgumentException and not OutOfMemoryException)
        {
            throw new ArgumentException($"The metadata cannot be serialized: {ex.Message}", nameof(metadata), ex);
        }
        foreach (var (key, value) in copy.ToList())
        {
            copy.Remove(key);
            fields.Add(new(key, value, null));
        }
        return fields;
    }

    /// <summary>
    /// Marks this scope as a use of the system (EU AI Act Art. 12(3)(a)): when it ends, besides its own record, an
    /// <c>operation/use_ended</c> record is saved with the period (<c>started_at</c> when the capture began, <c>ended_at</c>
    /// when it ended), <c>use_id</c> = <see cref="CaptureId"/>, and <c>outcome = {capture_record_id, failed, context?}</c>.
    /// Like the capture's own save, a failed save is logged, never thrown.
    /// </summary>
    /// <param name="context">What the use is (a batch, a session), stored under <c>outcome.context</c>.</param>
    public void MarkAsUse(object? context = null)
    {
        lock (_lock)
        {
            _isUse = true;
            _useContext = context;
        }
    }

    /// <summary>Whether <see cref="MarkAsUse"/> was called.</summary>
    public bool IsUse
    {
        get
        {
            lock (_lock)
            {
                return _isUse;
            }
        }
    }

    /// <summary>
    /// Records that the wrapped code failed: the record gets <c>error</c> and is saved as <c>&lt;event_type&gt;_error</c>.
    /// Returns false, so that it can be used as an exception filter that never catches.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <returns>Always false.</returns>
    public bool RecordError(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (_lock)
        {
            _error ??= exception;
        }
        return false;
    }

    /// <summary>Ends the capture and saves the record synchronously. Never throws for a failed save. Idempotent.</summary>
    public void Dispose()
    {
        if (!TryComplete(out var storage))
        {
            return;
        }
        try
        {
            storage ??= IntegrationSettings.DefaultStorage;
            var data = BuildData(storage, out var eventType);
            try
            {
                MetadataId = SyncOverAsync.Run(SaveAsync(storage, data, eventType));
            }
            catch (Exception ex) when (data is not JsonObject && PlainFormRefused(ex))
            {
                // Never worse than the node path: if the store refuses the plain form, it gets the nodes captures always saved.
                MetadataId = storage.SaveMetadata(ModelName, Stage, eventType, BuildMetadataNode(_seconds, out _), null, Details);
            }
            if (IsUse) SyncOverAsync.Run(SaveUseAsync(storage, CancellationToken.None));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OnSaveFailed(ex);
        }
    }

    /// <summary>Ends the capture and saves the record asynchronously. Never throws for a failed save. Idempotent.</summary>
    public ValueTask DisposeAsync()
    {
        // Not an async method: restoring the enclosing capture (an AsyncLocal) and Activity.Current must happen
        // in the caller's flow; inside an async method the change would be undone when it returns.
        if (!TryComplete(out var storage))
        {
            return ValueTask.CompletedTask;
        }
        return SaveAsync(storage);
    }

    private async ValueTask SaveAsync(MetadataStorage? storage)
    {
        try
        {
            storage ??= IntegrationSettings.DefaultStorage;
            var data = BuildData(storage, out var eventType);
            try
            {
                MetadataId = await SaveAsync(storage, data, eventType).ConfigureAwait(false);
            }
            catch (Exception ex) when (data is not JsonObject && PlainFormRefused(ex))
            {
                MetadataId = await storage.SaveMetadataAsync(ModelName, Stage, eventType, BuildMetadataNode(_seconds, out _), null, Details).ConfigureAwait(false);
            }
            if (IsUse) await SaveUseAsync(storage, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OnSaveFailed(ex);
        }
    }

    // Anything but the node form (the capture's own dictionary of plain values, or its fields snapshotted): the store may
    // leave it to its writer's thread to convert.
    private ValueTask<string> SaveAsync(MetadataStorage storage, object data, string eventType) =>
        storage.Core.SaveAsync(new MetadataEntry(ModelName, Stage, eventType, data, null, Details), captured: data is not JsonObject, CancellationToken.None);

    // A failure of the plain form itself, which the node form may not have: the store could not convert it (ArgumentException),
    // or a collection changed while the store walked it (InvalidOperationException; the node form summarizes what it cannot
    // read). A validator's rejection, a disposed store or a storage failure would be the same for both.
    private static bool PlainFormRefused(Exception ex) =>
        ex is (ArgumentException and not MetadataValidationException) or (InvalidOperationException and not ObjectDisposedException);

    /// <summary>Runs <paramref name="func"/> inside a capture and returns its result unchanged; an exception is recorded and rethrown unchanged.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="modelName">The model name.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="func">The work.</param>
    /// <param name="parameters">The parameters to record (anonymous object or dictionary): secrets redacted, large values summarized.</param>
    /// <param name="storage">The store; default: the process-wide default store.</param>
    /// <param name="details">A description.</param>
    /// <param name="captureResult">Whether to record the result (or its summary).</param>
    /// <param name="callerName">The calling method (filled in by the compiler); recorded as <c>function_name</c> when <paramref name="func"/> is a lambda.</param>
    public static T Run<T>(string modelName, string stage, string eventType, Func<T> func, object? parameters = null,
        MetadataStorage? storage = null, string? details = null, bool captureResult = false, [CallerMemberName] string? callerName = null)
    {
        ArgumentNullException.ThrowIfNull(func);
        using var capture = new MetadataCapture(modelName, stage, eventType, storage, details);
        capture.AddFunctionInfo(func.Method, callerName, parameters is null ? null : CapturedValues.Parameters(parameters));
        try
        {
            var result = func();
            if (captureResult)
            {
                capture.AddResult(result);
            }
            return result;
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw; // never reached: the filter returns false, so the exception passes by untouched.
        }
    }

    /// <summary>Runs <paramref name="action"/> inside a capture; an exception is recorded and rethrown unchanged.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="action">The work.</param>
    /// <param name="parameters">The parameters to record.</param>
    /// <param name="storage">The store; default: the process-wide default store.</param>
    /// <param name="details">A description.</param>
    /// <param name="callerName">The calling method (filled in by the compiler).</param>
    public static void Run(string modelName, string stage, string eventType, Action action, object? parameters = null,
        MetadataStorage? storage = null, string? details = null, [CallerMemberName] string? callerName = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var capture = new MetadataCapture(modelName, stage, eventType, storage, details);
        capture.AddFunctionInfo(action.Method, callerName, parameters is null ? null : CapturedValues.Parameters(parameters));
        try
        {
            action();
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw;
        }
    }

    /// <summary>Awaits <paramref name="func"/> inside a capture (which flows across awaits) and returns its result unchanged.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="modelName">The model name.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="func">The work.</param>
    /// <param name="parameters">The parameters to record.</param>
    /// <param name="storage">The store; default: the process-wide default store.</param>
    /// <param name="details">A description.</param>
    /// <param name="captureResult">Whether to record the result (or its summary).</param>
    /// <param name="callerName">The calling method (filled in by the compiler).</param>
    /// <param name="cancellationToken">Passed to nothing but the save; cancel the work through your own token.</param>
    public static async Task<T> RunAsync<T>(string modelName, string stage, string eventType, Func<Task<T>> func, object? parameters = null,
        MetadataStorage? storage = null, string? details = null, bool captureResult = false, [CallerMemberName] string? callerName = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        await using var capture = new MetadataCapture(modelName, stage, eventType, storage, details);
        capture.AddFunctionInfo(func.Method, callerName, parameters is null ? null : CapturedValues.Parameters(parameters));
        try
        {
            var result = await func().ConfigureAwait(false);
            if (captureResult)
            {
                capture.AddResult(result);
            }
            return result;
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw;
        }
    }

    /// <summary>Awaits <paramref name="func"/> inside a capture; an exception is recorded and rethrown unchanged.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="func">The work.</param>
    /// <param name="parameters">The parameters to record.</param>
    /// <param name="storage">The store; default: the process-wide default store.</param>
    /// <param name="details">A description.</param>
    /// <param name="callerName">The calling method (filled in by the compiler).</param>
    /// <param name="cancellationToken">Not passed to the work; cancel it through your own token.</param>
    public static async Task RunAsync(string modelName, string stage, string eventType, Func<Task> func, object? parameters = null,
        MetadataStorage? storage = null, string? details = null, [CallerMemberName] string? callerName = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        await using var capture = new MetadataCapture(modelName, stage, eventType, storage, details);
        capture.AddFunctionInfo(func.Method, callerName, parameters is null ? null : CapturedValues.Parameters(parameters));
        try
        {
            await func().ConfigureAwait(false);
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw;
        }
    }

    /// <summary>
    /// Wraps <paramref name="target"/> in a proxy implementing <typeparamref name="T"/>: every call to a method
    /// carrying <see cref="CaptureMetadataAttribute"/> is captured; other calls pass straight through.
    /// </summary>
    /// <typeparam name="T">An interface.</typeparam>
    /// <param name="target">The implementation.</param>
    /// <param name="storage">The store; default: the process-wide default store.</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not an interface.</exception>
    public static T Intercept<T>(T target, MetadataStorage? storage = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!typeof(T).IsInterface)
        {
            throw new ArgumentException($"Intercept<T> needs an interface; {typeof(T).Name} is not one.", nameof(T));
        }
        var proxy = DispatchProxy.Create<T, CaptureProxy>();
        ((CaptureProxy)(object)proxy).Initialize(target, storage);
        return proxy;
    }

    internal void AddFunctionInfo(MethodInfo method, string? callerName, JsonObject? parameters)
    {
        bool generated = method.Name.Contains('<', StringComparison.Ordinal);
        var type = method.DeclaringType;
        while (type is not null && type.Name.Contains('<', StringComparison.Ordinal))
        {
            type = type.DeclaringType; // the closure class of a lambda: report the class that wrote it
        }
        AddFunctionInfo(generated && callerName is not null ? callerName : method.Name, type?.FullName ?? type?.Name, parameters);
    }

    internal void AddFunctionInfo(string functionName, string? module, JsonObject? parameters)
    {
        if (parameters is not null)
        {
            AddMetadata("function_parameters", parameters);
        }
        AddMetadata("function_name", functionName);
        AddMetadata("function_module", module);
    }

    internal void AddResult(object? result)
    {
        var node = CapturedValues.Summarize(result);
        bool summarized = result is not null and not string && node is JsonValue v && v.TryGetValue(out string? s) && s.StartsWith('<');
        AddMetadata(summarized ? "result_summary" : "result", node);
    }

    private static Activity StartActivity(string modelName, string stage, string eventType)
    {
        string name = $"{stage} {eventType}";
        // With a listener (OpenTelemetry), the source creates the activity; without one, an unexported activity
        // still gives the record trace and span ids that correlate nested captures.
        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal);
        if (activity is null)
        {
            // Its ids only: no one listens, so it carries no tags.
            activity = new Activity(name);
            activity.SetIdFormat(ActivityIdFormat.W3C);
            activity.Start();
            return activity;
        }
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("ciaf.model_name", modelName);
            activity.SetTag("ciaf.stage", stage);
            activity.SetTag("ciaf.event_type", eventType);
        }
        return activity;
    }

    private bool TryComplete(out MetadataStorage? storage)
    {
        storage = _storage;
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        double seconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        _seconds = seconds;
        _endedAt = _startedAt + TimeSpan.FromSeconds(seconds);
        // Restore the enclosing capture for this flow (only if we are still the current one: a scope disposed
        // out of order must not clobber a newer one).
        if (ReferenceEquals(CurrentCapture.Value, this))
        {
            CurrentCapture.Value = _parent;
        }
        if (_error is not null)
        {
            _activity.SetStatus(ActivityStatusCode.Error, _error.Message);
        }
        _activity.Stop();
        return true;
    }

    // The record's metadata in the form that costs this thread least: the fields snapshotted as given when the store converts
    // captures on its writer and they allow it (Frozen); plain values when it converts them there anyway, or when the capture
    // holds object graphs (the fast lane walks them; nodes would cost more); else the nodes, which a buffered store hashes on
    // its writer.
    private object BuildData(MetadataStorage storage, out string eventType)
    {
        try
        {
            bool defers = storage.Core.DefersConversion(Stage);
            if (defers && Frozen(storage.Core.Options.MaxMetadataBytes) is { } frozen)
            {
                eventType = EventType;
                return frozen;
            }
            return defers || HoldsObjectGraphs()
                ? BuildMetadata(_seconds, out eventType)
                : BuildMetadataNode(_seconds, out eventType);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            eventType = EventType;
            return new JsonObject { ["execution_time"] = _seconds, ["capture_error"] = ex.Message };
        }
    }

    /// <summary>
    /// The record's metadata as plain values, for the store's fast lane: the fields in the order they were first added, then
    /// <c>execution_time</c>, <c>capture_id</c>, <c>parent_capture_id</c>, <c>trace_id</c>, <c>span_id</c> and <c>error</c>
    /// (a field of the same name keeps its place). Stored, it is byte for byte <see cref="BuildMetadataNode"/>'s JSON.
    /// </summary>
    internal Dictionary<string, object?> BuildMetadata(double seconds, out string eventType)
    {
        lock (_lock)
        {
            return Render(_metadata, _error, seconds, out eventType);
        }
    }

    private Dictionary<string, object?> Render(IReadOnlyList<CapturedField> fields, Exception? error, double seconds, out string eventType)
    {
        // Filled in order and never removed from, so a Dictionary enumerates in insertion order, as the JsonObject did.
        var data = new Dictionary<string, object?>(fields.Count + 6, StringComparer.Ordinal);
        for (int i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            data[field.Key] = field.Declared is null ? PlainCapturedValues.Storable(field.Value) : PlainCapturedValues.Member(field.Value, field.Declared);
        }
        data["execution_time"] = seconds;
        data["capture_id"] = CaptureId;
        if (_parent is not null)
        {
            data["parent_capture_id"] = _parent.CaptureId;
        }
        data["trace_id"] = TraceId;
        data["span_id"] = SpanId;
        eventType = EventType;
        if (error is not null)
        {
            data["error"] = new Dictionary<string, object?>(3, StringComparer.Ordinal)
            {
                ["type"] = error.GetType().Name,
                ["message"] = error.Message,
                ["traceback"] = Traceback(error),
            };
            eventType = EventType + "_error";
        }
        return data;
    }

    /// <summary>
    /// The record's metadata as the nodes a capture always stored (<see cref="CapturedValues"/>): the fallback when the store
    /// refuses <see cref="BuildMetadata"/>'s plain form, and the reference the differential tests hold it to.
    /// </summary>
    internal JsonObject BuildMetadataNode(double seconds, out string eventType)
    {
        var (fields, error) = Snapshot();
        return RenderNodes(fields, error, seconds, out eventType);
    }

    private JsonObject RenderNodes(IReadOnlyList<CapturedField> fields, Exception? error, double seconds, out string eventType)
    {
        var data = new JsonObject();
        foreach (var field in fields)
        {
            data[field.Key] = field.Declared is null ? CapturedValues.Storable(field.Value) : CapturedValues.Member(field.Value, field.Declared);
        }
        data["execution_time"] = seconds;
        data["capture_id"] = CaptureId;
        if (_parent is not null)
        {
            data["parent_capture_id"] = _parent.CaptureId;
        }
        data["trace_id"] = TraceId;
        data["span_id"] = SpanId;
        eventType = EventType;
        if (error is not null)
        {
            data["error"] = new JsonObject
            {
                ["type"] = error.GetType().Name,
                ["message"] = error.Message,
                ["traceback"] = new JsonArray([.. Traceback(error).Select(line => (JsonNode?)JsonValue.Create(line))]),
            };
            eventType = EventType + "_error";
        }
        return data;
    }

    // Which form to save. The fast lane writes the text and both hashes on this thread; for a handful of scalars (and nodes)
    // the node form costs less here, as a buffered store leaves its text and hash to the writer. Anything the fast lane
    // walks (an anonymous object, a POCO, a collection) would cost more as nodes: the serializer reflects over it, builds
    // nodes and the store copies them.
    internal bool HoldsObjectGraphs()
    {
        lock (_lock)
        {
            foreach (var field in _metadata)
            {
                if (PlainCapturedValues.IsObjectGraph(field.Value)) return true;
            }
            return false;
        }
    }

    /// <summary>
    /// The captured fields as they are, for the store's writer to render (<see cref="BuildMetadata"/>) and convert, when every
    /// value is one that cannot change or a container of such values, copied now (<see cref="CaptureSnapshot.TryFreezeField"/>),
    /// and the record cannot exceed <paramref name="maxBytes"/>; otherwise null, and the fields are rendered here.
    /// </summary>
    internal CapturedPayload? Frozen(long maxBytes)
    {
        CapturedField[] fields;
        long bound = OwnFieldsBound;
        lock (_lock)
        {
            if (_error is not null) return null; // rare: rendered here, with its traceback
            fields = new CapturedField[_metadata.Count];
            for (int i = 0; i < fields.Length; i++)
            {
                var field = _metadata[i];
                if (!CaptureSnapshot.TryFreezeField(field.Key, field.Value, ref bound, out object? frozen)) return null;
                fields[i] = field with { Value = frozen };
            }
        }
        if (bound > maxBytes) return null;
        double seconds = _seconds;
        return new CapturedPayload(
            () => Render(fields, null, seconds, out _),
            () => RenderNodes(fields, null, seconds, out _),
            seconds);
    }

    // The capture's own fields at their longest: execution_time, capture_id, parent_capture_id, trace_id, span_id.
    private const long OwnFieldsBound = 512;

    private (CapturedField[] Fields, Exception? Error) Snapshot()
    {
        lock (_lock)
        {
            return ([.. _metadata], _error);
        }
    }

    private static string[] Traceback(Exception error)
    {
        var lines = error.ToString().Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            lines[i] = lines[i].TrimEnd('\r');
        }
        return lines;
    }

    /// <summary>
    /// One captured field: <see cref="Declared"/> null for a value given to <see cref="AddMetadata"/>, else the declared type of
    /// the member of an <see cref="UpdateMetadata"/> payload it came from (the serializer writes a member through it).
    /// </summary>
    internal readonly record struct CapturedField(string Key, object? Value, Type? Declared);

    // The capture's period as a use (Art. 12(3)(a)): the start's wall-clock time plus the monotonic elapsed time, so the
    // duration is exact even if the wall clock is adjusted meanwhile.
    private async ValueTask SaveUseAsync(MetadataStorage storage, CancellationToken cancellationToken)
    {
        object? context;
        bool failed;
        lock (_lock)
        {
            context = _useContext;
            failed = _error is not null;
        }
        var outcome = new JsonObject { ["capture_record_id"] = MetadataId, ["failed"] = failed };
        if (Compliance.EvidenceReader.ToJsonNode(context) is { } c) outcome["context"] = c;
        await new Governance.AiActEventLog(storage, ModelName, ModelMetadataManager.DefaultModelVersion)
            .LogUseAsync(CaptureId, _startedAt, _endedAt, outcome, Details, cancellationToken).ConfigureAwait(false);
    }

    private void OnSaveFailed(Exception ex)
    {
        Interlocked.Increment(ref _saveFailures);
        Exception? error;
        lock (_lock) error = _error;
        _lineage?.CaptureNotSaved(CaptureId, error);
        try
        {
            LoggerFactory.CreateLogger<MetadataCapture>().LogError(ex, "Could not save the metadata capture {ModelName}/{Stage}/{EventType} ({CaptureId}); the wrapped code is unaffected",
                ModelName, Stage, EventType, CaptureId);
        }
        catch (Exception logEx) when (logEx is not OutOfMemoryException)
        {
            // A broken logger must not break the wrapped code either.
        }
    }
}
