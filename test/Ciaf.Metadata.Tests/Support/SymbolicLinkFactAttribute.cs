namespace Ciaf.Metadata.Tests.Support;

/// <summary>A fact that runs only where this process may create symbolic links (not on Windows without the privilege).</summary>
internal sealed class SymbolicLinkFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Supported = new(() =>
    {
        string probe = Path.Combine(Path.GetTempPath(), "ciaf-link-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.CreateSymbolicLink(probe, Path.GetTempPath());
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    });

    public SymbolicLinkFactAttribute()
    {
        if (!Supported.Value) Skip = "This process cannot create symbolic links here (Windows without the privilege).";
    }
}
