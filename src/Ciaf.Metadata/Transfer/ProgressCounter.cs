namespace Ciaf.Metadata.Transfer;

/// <summary>Counts items and reports the count every <see cref="MetadataStorage.TransferProgressInterval"/> items and at the end.</summary>
internal sealed class ProgressCounter(IProgress<long>? progress)
{
    private long _count;

    public void Add()
    {
        _count++;
        if (progress is not null && _count % MetadataStorage.TransferProgressInterval == 0) progress.Report(_count);
    }

    public void Complete() => progress?.Report(_count);
}
