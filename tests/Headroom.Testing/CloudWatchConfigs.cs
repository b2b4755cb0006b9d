namespace Headroom.Testing;

/// <summary>CloudWatch collector configurations shared by the collector's and the command's tests.</summary>
public static class CloudWatchConfigs
{
    /// <summary>
    /// The benchmark's configuration (docs/benchmarks.md, "CloudWatch collector"): EC2 in one region, four metrics
    /// with one statistic each, period 300 s. Its <c>period</c> key is on line 6.
    /// </summary>
    public const string FourMetrics = """
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: AWS/EC2
              regions: [us-east-1]
              period: 300
              metrics:
                - {name: CPUUtilization, statistics: [Average]}
                - {name: NetworkIn, statistics: [Sum]}
                - {name: NetworkOut, statistics: [Sum]}
                - {name: StatusCheckFailed, statistics: [Maximum]}
        """;

    /// <summary>EC2 in us-east-1, the three metrics and statistics the <c>aws-ec2</c> profile reads, period 300 s.</summary>
    public const string AwsEc2Profile = """
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: AWS/EC2
              regions: [us-east-1]
              metrics:
                - {name: CPUUtilization, statistics: [Average], period: 300}
                - {name: NetworkIn, statistics: [Sum], period: 300}
                - {name: NetworkOut, statistics: [Sum], period: 300}
        """;
}
