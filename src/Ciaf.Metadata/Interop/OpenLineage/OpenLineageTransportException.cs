namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>A transport could not deliver an event; <see cref="IsTransient"/> says whether trying again may help.</summary>
public sealed class OpenLineageTransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OpenLineageTransportException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OpenLineageTransportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public OpenLineageTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether a later attempt may succeed (a server error, a timeout, 429); false for a refusal such as 400 or 401.</summary>
    public bool IsTransient { get; init; }

    /// <summary>The HTTP status answered, when there was one.</summary>
    public int? StatusCode { get; init; }
}
