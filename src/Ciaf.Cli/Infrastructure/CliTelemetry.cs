using Ciaf.Metadata;
using Ciaf.Metadata.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ciaf.Cli.Infrastructure;

/// <summary>
/// Exports the library's metrics (meter <c>Ciaf.Metadata</c>) and capture traces (activity source <c>Ciaf.Metadata</c>),
/// and under <c>ciaf serve</c> ASP.NET Core's request metrics and spans (<see cref="Ciaf.Server.CiafServerTelemetry"/>),
/// over OTLP/HTTP to the configured <c>metrics_endpoint</c> while a command runs, when <c>enable_metrics</c> is on.
/// The endpoint is the collector's OTLP/HTTP base URL (e.g. <c>http://collector:4318</c>); metrics go to
/// <c>/v1/metrics</c> and traces to <c>/v1/traces</c> under it. Disposing flushes what was recorded.
/// </summary>
internal sealed class CliTelemetry : IDisposable
{
    private readonly MeterProvider _meters;
    private readonly TracerProvider _traces;

    private CliTelemetry(Uri endpoint)
    {
        _meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(MetadataTelemetry.MeterName)
            .AddMeter([.. Ciaf.Server.CiafServerTelemetry.MeterNames])
            .AddOtlpExporter(o => Configure(o, endpoint, "v1/metrics"))
            .Build();
        _traces = Sdk.CreateTracerProviderBuilder()
            .AddSource(MetadataTelemetry.ActivitySourceName)
            .AddSource(Ciaf.Server.CiafServerTelemetry.ActivitySourceName)
            .AddOtlpExporter(o => Configure(o, endpoint, "v1/traces"))
            .Build();
    }

    /// <summary>Starts exporting when the command's configuration asks for it; otherwise <c>null</c>.</summary>
    public static CliTelemetry? Start(StoreResolver stores)
    {
        MetadataConfig config;
        try
        {
            config = stores.ResolveConfig().Config;
        }
        catch (CliException)
        {
            return null; // an unreadable configuration is reported by the command itself
        }
        if (!config.Get<bool>(MetadataConfigKeys.EnableMetrics)) return null;
        if (config.Get<string?>(MetadataConfigKeys.MetricsEndpoint) is not { Length: > 0 } endpoint) return null;
        // Validation has checked it is an absolute http/https URL.
        return Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? new CliTelemetry(uri) : null;
    }

    public void Dispose()
    {
        // Dispose flushes: a short command still exports what it recorded.
        _meters.Dispose();
        _traces.Dispose();
    }

    private static void Configure(OtlpExporterOptions options, Uri endpoint, string signalPath)
    {
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        // The endpoint is the collector's base URL; one given as its metrics URL works too.
        string basePath = endpoint.AbsolutePath.TrimEnd('/');
        if (basePath.EndsWith("/v1/metrics", StringComparison.Ordinal)) basePath = basePath[..^"/v1/metrics".Length];
        options.Endpoint = new UriBuilder(endpoint) { Path = basePath + "/" + signalPath }.Uri;
    }
}
