namespace Ciaf.Metadata.Capture;

/// <summary>
/// Marks an interface method whose calls <see cref="MetadataCapture.Intercept{T}"/> captures: execution time,
/// parameters (secrets redacted, large values summarized), function name and module, optionally the result,
/// and on an exception the error (event saved as <c>&lt;event_type&gt;_error</c>). Works on synchronous methods
/// and on methods returning <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/> or
/// <see cref="ValueTask{TResult}"/> (the capture ends when the task completes).
/// </summary>
/// <param name="modelName">The model the records belong to.</param>
/// <param name="stage">The pipeline stage.</param>
/// <param name="eventType">The event type.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class CaptureMetadataAttribute(string modelName, string stage, string eventType) : Attribute
{
    /// <summary>The model the records belong to.</summary>
    public string ModelName { get; } = modelName;

    /// <summary>The pipeline stage.</summary>
    public string Stage { get; } = stage;

    /// <summary>The event type.</summary>
    public string EventType { get; } = eventType;

    /// <summary>A description stored with each record.</summary>
    public string? Details { get; set; }

    /// <summary>Whether the parameters are recorded (default true).</summary>
    public bool CaptureParameters { get; set; } = true;

    /// <summary>Whether the result (or its summary) is recorded (default false, as in the reference's decorator).</summary>
    public bool CaptureResult { get; set; }
}
