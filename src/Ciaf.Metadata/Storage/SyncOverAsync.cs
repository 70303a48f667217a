namespace Ciaf.Metadata.Storage;

/// <summary>
/// Runs the async path for the seed's synchronous API. Backends complete synchronously for local
/// I/O, so the common case costs nothing; otherwise the caller blocks on the task (the library never
/// captures a synchronization context, so this cannot deadlock).
/// </summary>
internal static class SyncOverAsync
{
    public static void Run(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
            return;
        }
        task.AsTask().GetAwaiter().GetResult();
    }

    public static T Run<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
}
