using Headroom.CloudWatch.Collection;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Aws;

/// <summary>A datapoint to put into CloudWatch.</summary>
public sealed record Datapoint(string MetricName, IReadOnlyDictionary<string, string> Dimensions, DateTimeOffset Timestamp, double Value, string? Unit = null);

/// <summary>Puts datapoints into CloudWatch with PutMetricData (JSON 1.0, SigV4): for demos and tests against moto_server.</summary>
public sealed class CloudWatchPublisher(HttpClient http, AwsEndpoints endpoints, AwsCredentials credentials)
{
    private readonly CloudWatchApi _api = new(new AwsHttpClient(http, endpoints, new CollectorMetrics(), TimeProvider.System));

    public Task PutAsync(string region, string ns, IEnumerable<Datapoint> data, CancellationToken cancellationToken = default) =>
        _api.PutMetricDataAsync(region, credentials, ns,
            data.Select(d => new MetricDatum(d.MetricName, d.Dimensions.Select(kv => new Dimension(kv.Key, kv.Value)).ToList(),
                d.Timestamp.ToUnixTimeMilliseconds() / 1000.0, d.Value, d.Unit)).ToList(),
            cancellationToken);
}
