namespace Ciaf.Metadata.Storage;

/// <summary>What <see cref="IGuardedDeleteBackend.DeleteUnlessGuardedAsync"/> did.</summary>
/// <param name="Deleted">How many entries existed and were deleted.</param>
/// <param name="Kept">The ids left in place because a guard key was set.</param>
public readonly record struct GuardedDeleteResult(int Deleted, IReadOnlyList<string> Kept);
