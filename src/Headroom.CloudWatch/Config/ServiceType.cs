using System.Text.RegularExpressions;

namespace Headroom.CloudWatch.Config;

/// <summary>
/// An AWS service a discovery job can name: its CloudWatch namespace, YACE's alias, the tagging API's resource type
/// filters, and how a resource's ARN gives the dimension values of its metrics.
/// </summary>
public sealed record ServiceType(string Namespace, string Alias, IReadOnlyList<string> ResourceTypeFilters, IReadOnlyList<Regex> DimensionsFromArn)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);

    /// <summary>The services Headroom knows; YACE knows more (see docs/cloudwatch.md).</summary>
    public static readonly IReadOnlyList<ServiceType> All =
    [
        new("AWS/EC2", "ec2", ["ec2:instance"], [Arn("instance/(?<InstanceId>[^/]+)$")]),
        new("AWS/EBS", "ebs", ["ec2:volume"], [Arn("volume/(?<VolumeId>[^/]+)$")]),
        new("AWS/RDS", "rds", ["rds:db"], [Arn(":db:(?<DBInstanceIdentifier>[^/:]+)$")]),
        new("AWS/Lambda", "lambda", ["lambda:function"], [Arn(":function:(?<FunctionName>[^/:]+)$")]),
        new("AWS/ApplicationELB", "alb", ["elasticloadbalancing:loadbalancer/app", "elasticloadbalancing:targetgroup"],
            [Arn(":(?<TargetGroup>targetgroup/.+)$"), Arn(":loadbalancer/(?<LoadBalancer>.+)$")]),
    ];

    /// <summary>Finds a service by namespace (<c>AWS/EC2</c>) or alias (<c>ec2</c>), ignoring case.</summary>
    public static ServiceType? Find(string name) =>
        All.FirstOrDefault(s => s.Namespace.Equals(name, StringComparison.OrdinalIgnoreCase) || s.Alias.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether this is EC2, whose instances are checked for state and type with DescribeInstances.</summary>
    public bool IsEc2 => Namespace == "AWS/EC2";

    private static Regex Arn(string pattern) => new(pattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, s_timeout);
}
