namespace Ciaf.Metadata;

/// <summary>
/// The names under which the library publishes through <c>System.Diagnostics</c>: subscribe to them with any
/// listener, e.g. OpenTelemetry's <c>AddMeter(MetadataTelemetry.MeterName)</c> and <c>AddSource(MetadataTelemetry.ActivitySourceName)</c>.
/// The library itself never sends telemetry anywhere; <c>ciaf</c> exports it over OTLP to <c>metrics_endpoint</c>.
/// </summary>
public static class MetadataTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of every store: <c>Ciaf.Metadata</c> (<c>ciaf.metadata.*</c> instruments).</summary>
    public const string MeterName = "Ciaf.Metadata";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of capture scopes: <c>Ciaf.Metadata</c>.</summary>
    public const string ActivitySourceName = "Ciaf.Metadata";
}
