namespace Headroom.CloudWatch.Aws;

/// <summary>One AWS API operation Headroom calls: how it is addressed, signed and limited.</summary>
/// <param name="Name">The operation, e.g. <c>GetMetricData</c>; the <c>api</c> label of the self-metrics.</param>
/// <param name="Service">Which service endpoint answers it.</param>
/// <param name="Target">The <c>X-Amz-Target</c> header of JSON-protocol operations.</param>
/// <param name="ContentType">The JSON protocol's content type (1.0 for CloudWatch, 1.1 for tagging).</param>
public sealed record AwsApi(string Name, AwsService Service, string Target, string ContentType)
{
    private const string Json10 = "application/x-amz-json-1.0";
    private const string Json11 = "application/x-amz-json-1.1";

    public static readonly AwsApi GetMetricData = new("GetMetricData", AwsService.CloudWatch, "GraniteServiceVersion20100801.GetMetricData", Json10);
    public static readonly AwsApi ListMetrics = new("ListMetrics", AwsService.CloudWatch, "GraniteServiceVersion20100801.ListMetrics", Json10);
    public static readonly AwsApi PutMetricData = new("PutMetricData", AwsService.CloudWatch, "GraniteServiceVersion20100801.PutMetricData", Json10);
    public static readonly AwsApi GetResources = new("GetResources", AwsService.Tagging, "ResourceGroupsTaggingAPI_20170126.GetResources", Json11);

    /// <summary>DynamoDB's table description (item count, size), for enhanced metrics.</summary>
    public static readonly AwsApi DescribeTable = new("DescribeTable", AwsService.DynamoDb, "DynamoDB_20120810.DescribeTable", Json10);

    /// <summary>Lambda's function configurations (memory, timeout), for enhanced metrics; a REST GET, no target.</summary>
    public static readonly AwsApi ListFunctions = new("ListFunctions", AwsService.Lambda, "", "");

    /// <summary>Called through AWSSDK.EC2; listed so its requests are counted and limited like the others.</summary>
    public static readonly AwsApi DescribeInstances = new("DescribeInstances", AwsService.Ec2, "", "");

    /// <summary>Called through AWSSDK.SecurityToken.</summary>
    public static readonly AwsApi AssumeRole = new("AssumeRole", AwsService.Sts, "", "");

    /// <summary>Called through AWSSDK.SecurityToken, for the account id of jobs without a role.</summary>
    public static readonly AwsApi GetCallerIdentity = new("GetCallerIdentity", AwsService.Sts, "", "");

    public static readonly IReadOnlyList<AwsApi> All = [GetMetricData, ListMetrics, PutMetricData, GetResources, DescribeTable, ListFunctions, DescribeInstances, AssumeRole, GetCallerIdentity];
}

/// <summary>An AWS service: its SigV4 signing name, host prefix and the suffix of its <c>AWS_ENDPOINT_URL_*</c> variable.</summary>
public sealed record AwsService(string SigningName, string HostPrefix, string EnvironmentSuffix)
{
    public static readonly AwsService CloudWatch = new("monitoring", "monitoring", "CLOUDWATCH");
    public static readonly AwsService Tagging = new("tagging", "tagging", "RESOURCE_GROUPS_TAGGING_API");
    public static readonly AwsService Ec2 = new("ec2", "ec2", "EC2");
    public static readonly AwsService Sts = new("sts", "sts", "STS");
    public static readonly AwsService DynamoDb = new("dynamodb", "dynamodb", "DYNAMODB");
    public static readonly AwsService Lambda = new("lambda", "lambda", "LAMBDA");
}
