using System.Diagnostics;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>Starts the ChildWriter program (test/Ciaf.Metadata.ChildWriter) as a separate process.</summary>
internal sealed class ChildWriter : IDisposable
{
    private readonly Process _process;
    private long _lastDurable = -1;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChildWriter(string path, string backend, string mode, string model, string count, int flushEvery = 50, string? connectionString = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        // test/<this test project>/bin/<configuration>/<framework>/ → test/Ciaf.Metadata.ChildWriter/bin/<configuration>/<framework>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.Combine(output.Parent!.Parent!.Parent!.Parent!.FullName, "Ciaf.Metadata.ChildWriter", "bin", output.Parent.Name, output.Name,
            "Ciaf.Metadata.ChildWriter.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("The ChildWriter program was not built.", dll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        foreach (var a in new[] { dll, path, backend, mode, model, count, flushEvery.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        if (connectionString is not null) psi.ArgumentList.Add(connectionString);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            var parts = e.Data.Split(' ');
            if (parts is ["saved" or "flushed", var seq]) Interlocked.Exchange(ref _lastDurable, long.Parse(seq, System.Globalization.CultureInfo.InvariantCulture));
            if (e.Data == "done") _done.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Errors.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The highest sequence number the child reported durable.</summary>
    public long LastDurable => Interlocked.Read(ref _lastDurable);

    public List<string> Errors { get; } = [];

    /// <summary>Completes when the child prints <c>done</c>: all its records are durable, or its legal hold is placed.</summary>
    public Task Done => _done.Task;

    public async Task WaitUntilDurableAsync(long seq, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (LastDurable < seq)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The child exited with {_process.ExitCode}: {string.Join('\n', Errors)}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The child reached only {LastDurable}.");
            await Task.Delay(20);
        }
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        if (_process.ExitCode != 0) throw new InvalidOperationException($"The child exited with {_process.ExitCode}: {string.Join('\n', Errors)}");
    }

    /// <summary>SIGKILL: the process gets no chance to flush or clean up.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
