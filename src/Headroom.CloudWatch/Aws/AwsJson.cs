using System.Text.Json.Serialization;

namespace Headroom.CloudWatch.Aws;

// Shapes of CloudWatch's JSON 1.0 protocol and the Resource Groups Tagging API's JSON 1.1 protocol, only the fields
// Headroom sends or reads. Timestamps travel as seconds since the epoch (fractional allowed).

internal sealed record Dimension(string Name, string Value);

internal sealed record Metric(string Namespace, string MetricName, IReadOnlyList<Dimension>? Dimensions);

internal sealed record MetricStat(Metric Metric, int Period, string Stat);

internal sealed record MetricDataQuery(string Id, MetricStat MetricStat, bool ReturnData = true);

internal sealed record GetMetricDataRequest(IReadOnlyList<MetricDataQuery> MetricDataQueries, double StartTime, double EndTime, string? NextToken = null, string? ScanBy = null);

internal sealed record MetricDataResult(string Id, string? Label, double[]? Timestamps, double[]? Values, string? StatusCode);

internal sealed record GetMetricDataResponse(IReadOnlyList<MetricDataResult>? MetricDataResults, string? NextToken);

internal sealed record ListMetricsRequest(string? Namespace, string? MetricName, string? NextToken = null, string? RecentlyActive = null);

internal sealed record ListMetricsResponse(IReadOnlyList<Metric>? Metrics, string? NextToken);

internal sealed record MetricDatum(string MetricName, IReadOnlyList<Dimension>? Dimensions, double Timestamp, double Value, string? Unit = null);

internal sealed record PutMetricDataRequest(string Namespace, IReadOnlyList<MetricDatum> MetricData);

internal sealed record EmptyResponse;

internal sealed record TagFilter(string Key, IReadOnlyList<string>? Values = null);

internal sealed record Tag(string Key, string Value);

internal sealed record GetResourcesRequest(IReadOnlyList<string>? ResourceTypeFilters, IReadOnlyList<TagFilter>? TagFilters, string? PaginationToken = null, int? ResourcesPerPage = null);

internal sealed record ResourceTagMapping(string ResourceARN, IReadOnlyList<Tag>? Tags);

internal sealed record GetResourcesResponse(IReadOnlyList<ResourceTagMapping>? ResourceTagMappingList, string? PaginationToken);

internal sealed record DescribeTableRequest(string TableName);

internal sealed record BillingModeSummary(string? BillingMode);

internal sealed record ProvisionedThroughputDescription(long? ReadCapacityUnits, long? WriteCapacityUnits);

/// <param name="CreationDateTime">Seconds since the epoch.</param>
internal sealed record TableDescription(string? TableName, string? TableArn, long? ItemCount, long? TableSizeBytes,
    BillingModeSummary? BillingModeSummary = null, ProvisionedThroughputDescription? ProvisionedThroughput = null, double? CreationDateTime = null);

internal sealed record DescribeTableResponse(TableDescription? Table);

internal sealed record FunctionConfiguration(string? FunctionName, string? FunctionArn, int? MemorySize, int? Timeout, IReadOnlyList<string>? Architectures = null);

internal sealed record ListFunctionsResponse(IReadOnlyList<FunctionConfiguration>? Functions, string? NextMarker);

internal sealed record AwsErrorBody(
    [property: JsonPropertyName("__type")] string? Type,
    [property: JsonPropertyName("message")] string? LowerMessage,
    [property: JsonPropertyName("Message")] string? Message);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetMetricDataRequest))]
[JsonSerializable(typeof(GetMetricDataResponse))]
[JsonSerializable(typeof(ListMetricsRequest))]
[JsonSerializable(typeof(ListMetricsResponse))]
[JsonSerializable(typeof(PutMetricDataRequest))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(GetResourcesRequest))]
[JsonSerializable(typeof(GetResourcesResponse))]
[JsonSerializable(typeof(DescribeTableRequest))]
[JsonSerializable(typeof(DescribeTableResponse))]
[JsonSerializable(typeof(ListFunctionsResponse))]
[JsonSerializable(typeof(AwsErrorBody))]
internal sealed partial class AwsJsonContext : JsonSerializerContext;
