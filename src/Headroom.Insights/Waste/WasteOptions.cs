namespace Headroom.Insights.Waste;

/// <summary>Thresholds of the waste rules. Defaults follow the sources named in <see cref="WasteKindInfo"/>.</summary>
public sealed record WasteOptions
{
    /// <summary>Days in the window (NAT, Lambda, DynamoDB look at all of it), ending with the profile's latest hour. Default 14.</summary>
    public int Days { get; init; } = 14;

    /// <summary>Days the idle rules look back over (load balancers, EBS, RDS, ElastiCache, Redshift). Default 7 (Trusted Advisor).</summary>
    public int IdleDays { get; init; } = 7;

    /// <summary>A resource needs data (its info series) in at least this share of the rule's hours, else "insufficient data". Default 0.9.</summary>
    public double MinCoverage { get; init; } = 0.9;

    /// <summary>Idle load balancer: fewer requests than this on every day. Default 100 (Trusted Advisor).</summary>
    public double LoadBalancerRequestsPerDay { get; init; } = 100;

    /// <summary>Under-used EBS volume: average IOPS under this on every day. Default 1 (Trusted Advisor).</summary>
    public double EbsIops { get; init; } = 1;

    /// <summary>Under-used Redshift cluster: average CPU under this (ratio) … Default 0.05 (Trusted Advisor).</summary>
    public double RedshiftCpu { get; init; } = 0.05;

    /// <summary>… in at least this share of the hours. Default 0.99 (Trusted Advisor).</summary>
    public double RedshiftLowShare { get; init; } = 0.99;

    /// <summary>Margin added to measured peaks (Lambda memory, DynamoDB capacity). Default 0.2, as rightsizing.</summary>
    public double Margin { get; init; } = 0.2;

    /// <summary>Lambda: invocations the window needs before a recommendation. Default 50 (Compute Optimizer).</summary>
    public long LambdaMinInvocations { get; init; } = 50;

    /// <summary>DynamoDB: flagged when provisioned capacity exceeds this many times the peak consumed plus margin. Default 2.</summary>
    public double DynamoDbFactor { get; init; } = 2;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
                throw new ArgumentException(message);
        }
        Check(Days is >= 1 and <= 366, $"days must be between 1 and 366, got {Days}");
        Check(IdleDays >= 1 && IdleDays <= Days, $"idle days must be between 1 and the window's {Days} days, got {IdleDays}");
        Check(MinCoverage is > 0 and <= 1, $"the minimum coverage must be above 0 and at most 100%, got {MinCoverage:P0}");
        Check(LoadBalancerRequestsPerDay >= 0, "the load balancer threshold must be at or above 0 requests a day");
        Check(EbsIops >= 0, "the EBS threshold must be at or above 0 IOPS");
        Check(RedshiftCpu is >= 0 and <= 1 && RedshiftLowShare is > 0 and <= 1, "the Redshift thresholds must be ratios between 0 and 1");
        Check(Margin is >= 0 and <= 10, $"the margin must be between 0 and 1000%, got {Margin:P0}");
        Check(DynamoDbFactor >= 1, $"the DynamoDB factor must be at least 1, got {DynamoDbFactor}");
    }
}
