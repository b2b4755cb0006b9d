using Prometheus;

namespace Headroom.Etl;

/// <summary>
/// The ETL's own health as Prometheus metrics: served on <c>/metrics</c> by <c>headroom serve</c> and
/// pushed to a Pushgateway by one-shot runs. The alert rules in deploy/prometheus/headroom-alerts.yml
/// read these names.
/// </summary>
public sealed class EtlMetrics
{
    public EtlMetrics(CollectorRegistry? registry = null)
    {
        Registry = registry ?? Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Runs = factory.CreateCounter("headroom_etl_runs_total", "ETL runs by outcome.", "profile", "status");
        RowsLoaded = factory.CreateCounter("headroom_etl_rows_loaded_total", "Hourly rows loaded into the warehouse.", "profile");
        RowsRejected = factory.CreateCounter("headroom_etl_rows_rejected_total", "Hourly rows quarantined, by reason.", "profile", "reason");
        WatermarkLag = factory.CreateGauge("headroom_etl_watermark_lag_seconds", "How far the watermark is behind now.", "profile", "source");
        OpenGaps = factory.CreateGauge("headroom_etl_open_gaps", "Gaps (hours without data) still open.", "profile");
        LastRunSuccess = factory.CreateGauge("headroom_etl_last_run_success", "1 when the last run succeeded, 0 when it failed.", "profile");
        LastRunRejectedRatio = factory.CreateGauge("headroom_etl_last_run_rejected_ratio", "Share of the last run's rows that were quarantined.", "profile");
        LastSuccess = factory.CreateGauge("headroom_etl_last_success_timestamp_seconds", "When a run last succeeded (Unix time).", "profile");
        QueryDuration = factory.CreateHistogram("headroom_etl_query_duration_seconds", "Latency of queries to the source.",
            new HistogramConfiguration { LabelNames = ["profile"], Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
        RawFallbacks = factory.CreateCounter("headroom_etl_raw_fallback_total", "Windows read from raw expressions because recording rules did not cover them.", "profile", "dimension");
    }

    public CollectorRegistry Registry { get; }

    public Counter Runs { get; }

    public Counter RowsLoaded { get; }

    public Counter RowsRejected { get; }

    public Gauge WatermarkLag { get; }

    public Gauge OpenGaps { get; }

    public Gauge LastSuccess { get; }

    public Gauge LastRunSuccess { get; }

    public Gauge LastRunRejectedRatio { get; }

    public Histogram QueryDuration { get; }

    public Counter RawFallbacks { get; }

    /// <summary>The metrics in the text exposition format.</summary>
    public async Task<string> ExportAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// PUTs the metrics to a Pushgateway under <c>job="headroom_etl"</c> and the profile, replacing the
    /// previous push of the same profile.
    /// </summary>
    public async Task PushAsync(HttpClient http, Uri pushgateway, string profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(pushgateway);
        var target = new Uri(pushgateway, $"metrics/job/headroom_etl/profile/{Uri.EscapeDataString(profile)}");
        using var content = new StringContent(await ExportAsync(cancellationToken).ConfigureAwait(false));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { Parameters = { new("version", "0.0.4") } };
        using var response = await http.PutAsync(target, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"the Pushgateway at {pushgateway} refused the metrics (HTTP {(int)response.StatusCode}): {body.Trim()}");
        }
    }
}
