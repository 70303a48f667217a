namespace Ciaf.Metadata.Tests.Support;

/// <summary>
/// Test classes that measure the process (live memory) run in this collection: xUnit runs it alone, after the
/// parallel ones, so other tests' allocations cannot be mistaken for theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
