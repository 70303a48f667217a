namespace Ciaf.Metadata.Storage;

/// <summary>How <see cref="MetadataStorage"/> writes.</summary>
public enum WriteMode
{
    /// <summary>Each save is durable when it returns.</summary>
    Immediate,
    /// <summary>Saves are queued and written in batches by a background task; <see cref="MetadataStorage.Flush"/> and disposal make them durable.</summary>
    Buffered,
}
