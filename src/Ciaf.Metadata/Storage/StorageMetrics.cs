using System.Diagnostics.Metrics;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The storage's counters: kept in-process for <see cref="MetadataStorage.GetPerformanceMetrics"/> and
/// published as <see cref="System.Diagnostics.Metrics"/> instruments on the meter <c>Ciaf.Metadata</c>
/// (durations in milliseconds, as the seed reports them).
/// </summary>
internal sealed class StorageMetrics : IDisposable
{
    /// <summary>The meter name OpenTelemetry users subscribe to.</summary>
    public const string MeterName = MetadataTelemetry.MeterName;

    private readonly Meter _meter;
    private readonly Counter<long> _writes;
    private readonly Histogram<double> _writeDuration;
    private readonly Counter<long> _reads;
    private readonly Histogram<double> _readDuration;
    private readonly Counter<long> _corrupt;
    private readonly Counter<long> _failures;
    private readonly KeyValuePair<string, object?> _backendTag;
    private readonly LatencyWindow _writeWindow = new();
    private readonly LatencyWindow _readWindow = new();
    private long _writeCount;
    private long _readCount;
    private long _corruptCount;
    private long _failureCount;

    public StorageMetrics(string backend, Func<long> pending)
    {
        _backendTag = new("ciaf.backend", backend);
        _meter = new Meter(MeterName);
        _writes = _meter.CreateCounter<long>("ciaf.metadata.writes", "{record}", "Records written durably.");
        _writeDuration = _meter.CreateHistogram<double>("ciaf.metadata.save.duration", "ms", "Time a save takes on the caller's thread.");
        _reads = _meter.CreateCounter<long>("ciaf.metadata.reads", "{operation}", "Gets and queries served.");
        _readDuration = _meter.CreateHistogram<double>("ciaf.metadata.read.duration", "ms", "Time a get or query takes.");
        _corrupt = _meter.CreateCounter<long>("ciaf.metadata.corrupt_entries", "{entry}", "Corrupt entries skipped by reads.");
        _failures = _meter.CreateCounter<long>("ciaf.metadata.write_failures", "{attempt}", "Failed background write attempts.");
        _meter.CreateObservableGauge("ciaf.metadata.pending", () => new Measurement<long>(pending(), _backendTag), "{record}", "Records accepted but not yet durable.");
    }

    public long WriteCount => Interlocked.Read(ref _writeCount);
    public long ReadCount => Interlocked.Read(ref _readCount);
    public long CorruptCount => Interlocked.Read(ref _corruptCount);
    public long FailureCount => Interlocked.Read(ref _failureCount);
    public (double Avg, double P95) WriteLatency => _writeWindow.Summary();
    public (double Avg, double P95) ReadLatency => _readWindow.Summary();

    public void RecordSave(double ms)
    {
        _writeDuration.Record(ms, _backendTag);
        _writeWindow.Add(ms);
    }

    public void RecordDurable(int count)
    {
        Interlocked.Add(ref _writeCount, count);
        _writes.Add(count, _backendTag);
    }

    public void RecordRead(double ms)
    {
        Interlocked.Increment(ref _readCount);
        _reads.Add(1, _backendTag);
        _readDuration.Record(ms, _backendTag);
        _readWindow.Add(ms);
    }

    public void RecordCorrupt()
    {
        Interlocked.Increment(ref _corruptCount);
        _corrupt.Add(1, _backendTag);
    }

    public void RecordFailure()
    {
        Interlocked.Increment(ref _failureCount);
        _failures.Add(1, _backendTag);
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>The last 4096 samples, enough for a stable mean and p95 at constant memory.</summary>
    private sealed class LatencyWindow
    {
        private readonly double[] _samples = new double[4096];
        private readonly Lock _lock = new();
        private long _count;

        public void Add(double ms)
        {
            lock (_lock)
            {
                _samples[_count % _samples.Length] = ms;
                _count++;
            }
        }

        public (double Avg, double P95) Summary()
        {
            double[] copy;
            lock (_lock)
            {
                copy = _samples[..(int)Math.Min(_count, _samples.Length)];
            }
            if (copy.Length == 0) return (0, 0);
            Array.Sort(copy);
            return (copy.Average(), copy[(int)Math.Ceiling(copy.Length * 0.95) - 1]);
        }
    }
}
