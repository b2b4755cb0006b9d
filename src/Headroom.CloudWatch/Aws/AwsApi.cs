namespace Headroom.CloudWatch.Aws;

/// <summary>One AWS API operation Headroom calls: how it is addressed, signed and limited.</summary>
/// <param name="Name">The operation, e.g. <c>GetMetricData</c>; the <c>api</c> label of the self-metrics.</param>
/// <param name="Service">Which service endpoint answers it.</param>
/// <param name="Target">The <c>X-Amz-Target</c> header of JSON-protocol operations; the API version of Query-protocol ones.</param>
/// <param name="ContentType">The JSON protocol's content type (1.0 for CloudWatch, 1.1 for tagging), or the Query protocol's form.</param>
public sealed record AwsApi(string Name, AwsService Service, string Target, string ContentType)
{
    private const string Json10 = "application/x-amz-json-1.0";
    private const string Json11 = "application/x-amz-json-1.1";
    private const string Form = "application/x-www-form-urlencoded; charset=utf-8";

    /// <summary>A Query-protocol operation (form POST of Action and Version, XML answer).</summary>
    public bool IsQuery => ContentType == Form;

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

    /// <summary>EBS volumes' size, type and state; through AWSSDK.EC2.</summary>
    public static readonly AwsApi DescribeVolumes = new("DescribeVolumes", AwsService.Ec2, "", "");

    /// <summary>RDS DB instances' class, engine, Multi-AZ (Query protocol).</summary>
    public static readonly AwsApi DescribeDBInstances = new("DescribeDBInstances", AwsService.Rds, "2014-10-31", Form);

    /// <summary>ElastiCache clusters' node type and count (Query protocol).</summary>
    public static readonly AwsApi DescribeCacheClusters = new("DescribeCacheClusters", AwsService.ElastiCache, "2015-02-02", Form);

    /// <summary>Redshift clusters' node type and count (Query protocol).</summary>
    public static readonly AwsApi DescribeClusters = new("DescribeClusters", AwsService.Redshift, "2012-12-01", Form);

    /// <summary>Application, network and gateway load balancers' type (Elastic Load Balancing v2, Query protocol).</summary>
    public static readonly AwsApi DescribeLoadBalancers = new("DescribeLoadBalancers", AwsService.ElasticLoadBalancing, "2015-12-01", Form);

    /// <summary>Called through AWSSDK.SecurityToken.</summary>
    public static readonly AwsApi AssumeRole = new("AssumeRole", AwsService.Sts, "", "");

    /// <summary>Called through AWSSDK.SecurityToken, for the account id of jobs without a role.</summary>
    public static readonly AwsApi GetCallerIdentity = new("GetCallerIdentity", AwsService.Sts, "", "");

    public static readonly IReadOnlyList<AwsApi> All = [GetMetricData, ListMetrics, PutMetricData, GetResources, DescribeTable, ListFunctions, DescribeInstances,
        DescribeVolumes, DescribeDBInstances, DescribeCacheClusters, DescribeClusters, DescribeLoadBalancers, AssumeRole, GetCallerIdentity];
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
    public static readonly AwsService Rds = new("rds", "rds", "RDS");
    public static readonly AwsService ElastiCache = new("elasticache", "elasticache", "ELASTICACHE");
    public static readonly AwsService Redshift = new("redshift", "redshift", "REDSHIFT");
    public static readonly AwsService ElasticLoadBalancing = new("elasticloadbalancing", "elasticloadbalancing", "ELASTIC_LOAD_BALANCING_V2");
}
