namespace Headroom.Insights.Waste;

/// <summary>The kinds of AWS resource the waste rules look at, one ETL profile each.</summary>
public enum WasteKind
{
    /// <summary>Application, network and classic load balancers (profile <c>aws-elb</c>).</summary>
    LoadBalancer,

    /// <summary>EBS volumes (<c>aws-ebs</c>).</summary>
    EbsVolume,

    /// <summary>RDS DB instances (<c>aws-rds</c>).</summary>
    RdsInstance,

    /// <summary>ElastiCache clusters (<c>aws-elasticache</c>).</summary>
    ElastiCacheCluster,

    /// <summary>Redshift clusters (<c>aws-redshift</c>).</summary>
    RedshiftCluster,

    /// <summary>NAT gateways (<c>aws-nat</c>).</summary>
    NatGateway,

    /// <summary>Lambda functions (<c>aws-lambda</c>).</summary>
    LambdaFunction,

    /// <summary>DynamoDB tables in provisioned capacity mode (<c>aws-dynamodb</c>).</summary>
    DynamoDbTable,
}

/// <summary>What each kind is called, which profile loads it, its rule and the rule's source.</summary>
/// <param name="Profile">The ETL profile whose resources the rule reads.</param>
/// <param name="Title">The section title in reports.</param>
/// <param name="Rule">The rule in a few words, with its threshold.</param>
/// <param name="Source">Where the rule comes from (see docs/insights.md).</param>
public sealed record WasteKindInfo(WasteKind Kind, string Profile, string Title, string Rule, string Source)
{
    /// <summary>Every kind, in report order.</summary>
    public static IReadOnlyList<WasteKindInfo> All { get; } =
    [
        new(WasteKind.LoadBalancer, "aws-elb", "Load balancers",
            "idle: fewer than 100 requests (NLB: new flows) on each of the last 7 days", "AWS Trusted Advisor, Idle Load Balancers (applied to ALB and NLB too)"),
        new(WasteKind.EbsVolume, "aws-ebs", "EBS volumes",
            "under-used: unattached, or under 1 IOPS on each of the last 7 days", "AWS Trusted Advisor, Underutilized Amazon EBS Volumes"),
        new(WasteKind.RdsInstance, "aws-rds", "RDS DB instances",
            "idle: no connection in the last 7 days", "AWS Trusted Advisor, Amazon RDS Idle DB Instances"),
        new(WasteKind.ElastiCacheCluster, "aws-elasticache", "ElastiCache clusters",
            "idle: no client connection in the last 7 days", "Headroom: Trusted Advisor's idle-RDS rule applied to CurrConnections"),
        new(WasteKind.RedshiftCluster, "aws-redshift", "Redshift clusters",
            "idle: no connection in the last 7 days; under-used: average CPU under 5% in 99% of the last 7 days' hours", "AWS Trusted Advisor, Underutilized Amazon Redshift Clusters"),
        new(WasteKind.NatGateway, "aws-nat", "NAT gateways",
            "idle: no byte through the gateway in the window", "Headroom; AWS Compute Optimizer's unused NAT gateway recommendation is the stricter cousin (32 days of no connection or packet, no route table)"),
        new(WasteKind.LambdaFunction, "aws-lambda", "Lambda functions",
            "over-provisioned memory: peak used memory + 20% (in 64 MB steps, at least 128 MB) below the configured memory; at least 50 invocations", "AWS Compute Optimizer, Lambda function memory recommendations"),
        new(WasteKind.DynamoDbTable, "aws-dynamodb", "DynamoDB tables",
            "over-provisioned: provisioned read or write capacity above twice the peak consumed + 20%", "Headroom; consumption against provisioned capacity as AWS's DynamoDB capacity guidance measures it"),
    ];

    /// <summary>The entry of <paramref name="kind"/>.</summary>
    public static WasteKindInfo Of(WasteKind kind) => All.First(k => k.Kind == kind);
}
