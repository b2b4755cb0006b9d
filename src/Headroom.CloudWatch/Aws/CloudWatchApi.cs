using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Aws;

/// <summary>CloudWatch over its JSON 1.0 protocol, and the Resource Groups Tagging API over JSON 1.1.</summary>
internal sealed class CloudWatchApi(AwsHttpClient client)
{
    /// <summary>GetMetricData accepts at most this many queries per call.</summary>
    public const int MaxQueriesPerCall = 500;

    public AwsHttpClient Client => client;

    /// <summary>One GetMetricData call (one page); the queries are counted as metrics requested.</summary>
    public async Task<GetMetricDataResponse> GetMetricDataPageAsync(string region, AwsCredentials credentials, GetMetricDataRequest request, CancellationToken cancellationToken)
    {
        if (request.MetricDataQueries.Count > MaxQueriesPerCall)
            throw new ArgumentException($"GetMetricData takes at most {MaxQueriesPerCall} queries, got {request.MetricDataQueries.Count}", nameof(request));
        var response = await client.CallAsync(AwsApi.GetMetricData, region, credentials, request,
            AwsJsonContext.Default.GetMetricDataRequest, AwsJsonContext.Default.GetMetricDataResponse, cancellationToken).ConfigureAwait(false);
        client.Metrics.MetricsRequested.Inc(request.MetricDataQueries.Count);
        return response;
    }

    /// <summary>Every page of ListMetrics for a namespace and metric name.</summary>
    public async Task<IReadOnlyList<Metric>> ListMetricsAsync(string region, AwsCredentials credentials, string ns, string? metricName, bool recentlyActive, CancellationToken cancellationToken)
    {
        var result = new List<Metric>();
        string? token = null;
        do
        {
            var page = await client.CallAsync(AwsApi.ListMetrics, region, credentials, new ListMetricsRequest(ns, metricName, token, recentlyActive ? "PT3H" : null),
                AwsJsonContext.Default.ListMetricsRequest, AwsJsonContext.Default.ListMetricsResponse, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Metrics ?? []);
            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));
        return result;
    }

    /// <summary>PutMetricData (for tests and the demo): at most 1,000 datapoints per call, as CloudWatch allows.</summary>
    public async Task PutMetricDataAsync(string region, AwsCredentials credentials, string ns, IReadOnlyList<MetricDatum> data, CancellationToken cancellationToken)
    {
        foreach (var chunk in data.Chunk(1000))
        {
            await client.CallAsync(AwsApi.PutMetricData, region, credentials, new PutMetricDataRequest(ns, chunk),
                AwsJsonContext.Default.PutMetricDataRequest, AwsJsonContext.Default.EmptyResponse, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every page of GetResources for the resource types, filtered by tag keys (values are matched by the caller).</summary>
    public async Task<IReadOnlyList<ResourceTagMapping>> GetResourcesAsync(string region, AwsCredentials credentials, IReadOnlyList<string> types, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken)
    {
        var result = new List<ResourceTagMapping>();
        string? token = null;
        var filters = tagKeys.Count == 0 ? null : tagKeys.Distinct(StringComparer.Ordinal).Select(k => new TagFilter(k)).ToList();
        do
        {
            var page = await client.CallAsync(AwsApi.GetResources, region, credentials, new GetResourcesRequest(types, filters, token, 100),
                AwsJsonContext.Default.GetResourcesRequest, AwsJsonContext.Default.GetResourcesResponse, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.ResourceTagMappingList ?? []);
            token = page.PaginationToken;
        }
        while (!string.IsNullOrEmpty(token));
        return result;
    }
}
