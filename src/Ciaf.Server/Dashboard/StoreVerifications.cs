using Ciaf.Server.Dashboard.Views;

namespace Ciaf.Server.Dashboard;

/// <summary>
/// The last verification run from the dashboard (a singleton): the health page shows it to every reader; running one is
/// for auditors. One runs at a time — a second request waits for it rather than reading the whole store twice.
/// </summary>
internal sealed class StoreVerifications : IDisposable
{
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>The latest run, or <c>null</c> before the first.</summary>
    public VerificationRun? Latest { get; private set; }

    /// <summary>Runs <paramref name="verify"/> (one at a time) and keeps its outcome as <see cref="Latest"/>.</summary>
    public async Task<VerificationRun> RunAsync(Func<CancellationToken, Task<VerificationRun>> verify, CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var run = await verify(cancellationToken).ConfigureAwait(false);
            Latest = run;
            return run;
        }
        finally
        {
            _running.Release();
        }
    }

    public void Dispose() => _running.Dispose();
}
