using Prometheus;

namespace Headroom.CloudWatch.Collection;

/// <summary>
/// The collector's own health and cost as Prometheus metrics. <c>headroom_cloudwatch_metrics_requested_total</c> is
/// CloudWatch's billing unit for GetMetricData; requests per API are the unit for ListMetrics and the rest.
/// </summary>
public sealed class CollectorMetrics
{
    public CollectorMetrics(CollectorRegistry? registry = null)
    {
        Registry = registry ?? Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("headroom_cloudwatch_api_requests_total", "Requests sent to AWS APIs (retries included), by API.", "api");
        MetricsRequested = factory.CreateCounter("headroom_cloudwatch_metrics_requested_total", "Metrics requested from GetMetricData (queries per call, every page): CloudWatch's billing unit.");
        Errors = factory.CreateCounter("headroom_cloudwatch_api_errors_total", "AWS API calls that failed after retries, by API and error code.", "api", "code");
        Throttles = factory.CreateCounter("headroom_cloudwatch_api_throttles_total", "Throttling answers from AWS APIs (each one retried or failed), by API.", "api");
        Retries = factory.CreateCounter("headroom_cloudwatch_api_retries_total", "Requests retried after throttling, a 5xx answer or a network error, by API.", "api");
        LoopDuration = factory.CreateGauge("headroom_cloudwatch_loop_duration_seconds", "How long the last collection loop took, by period.", "period");
        LastSuccess = factory.CreateGauge("headroom_cloudwatch_last_success_timestamp_seconds", "When a collection loop last succeeded (Unix time), by period.", "period");
        LastLoopSuccess = factory.CreateGauge("headroom_cloudwatch_last_loop_success", "1 when the last loop succeeded; 0 when it failed and the previous result is being served.", "period");
        Loops = factory.CreateCounter("headroom_cloudwatch_loops_total", "Collection loops, by period and outcome.", "period", "status");
        Series = factory.CreateGauge("headroom_cloudwatch_series", "Series in the result being served, by period.", "period");
        ResultAge = factory.CreateGauge("headroom_cloudwatch_result_timestamp_seconds", "When the result being served was collected (Unix time), by period.", "period");
        foreach (var api in Aws.AwsApi.All)
        {
            Requests.WithLabels(api.Name);
            Throttles.WithLabels(api.Name);
            Retries.WithLabels(api.Name);
        }
    }

    public CollectorRegistry Registry { get; }

    public Counter Requests { get; }

    public Counter MetricsRequested { get; }

    public Counter Errors { get; }

    public Counter Throttles { get; }

    public Counter Retries { get; }

    public Gauge LoopDuration { get; }

    public Gauge LastSuccess { get; }

    public Gauge LastLoopSuccess { get; }

    public Counter Loops { get; }

    public Gauge Series { get; }

    public Gauge ResultAge { get; }

    /// <summary>Requests sent so far to <paramref name="api"/>.</summary>
    public double RequestCount(string api) => Requests.WithLabels(api).Value;

    /// <summary>The metrics in the text exposition format.</summary>
    public async Task<string> ExportAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
