namespace Ciaf.Metadata.Backends.Pickle;

/// <summary>
/// A pickle was refused because it asks for more than plain data: it refers to a global (a class or function)
/// other than the datetime types, or uses an opcode that builds objects or reaches outside the pickle
/// (<c>BUILD</c>, persistent ids, extension codes, out-of-band buffers). Nothing in the pickle was constructed
/// or called. A <see cref="FormatException"/>, so callers that skip corrupt entries skip these too.
/// </summary>
public sealed class UnsafePickleException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public UnsafePickleException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UnsafePickleException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UnsafePickleException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refused global or opcode.</summary>
    /// <param name="message">What was refused and why.</param>
    /// <param name="refusedGlobal">The global (<c>module.name</c>), when a global was refused.</param>
    /// <param name="opcode">The opcode that was refused or that named the global.</param>
    /// <param name="offset">The opcode's byte offset in the pickle.</param>
    public UnsafePickleException(string message, string? refusedGlobal, string opcode, long offset) : base(message)
    {
        RefusedGlobal = refusedGlobal;
        Opcode = opcode;
        Offset = offset;
    }

    /// <summary>The refused global as <c>module.name</c> (e.g. <c>posix.system</c>), or <c>null</c> when an opcode was refused.</summary>
    public string? RefusedGlobal { get; }

    /// <summary>The opcode's name as <c>pickletools</c> prints it (e.g. <c>STACK_GLOBAL</c>, <c>BUILD</c>), if known.</summary>
    public string? Opcode { get; }

    /// <summary>The opcode's byte offset in the pickle, or -1 when unknown.</summary>
    public long Offset { get; } = -1;
}
