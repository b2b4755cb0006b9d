namespace Headroom.CloudWatch.Collection;

/// <summary>
/// The labels Headroom adds to YACE's <c>aws_&lt;namespace&gt;_info</c> series from the services' describe APIs, for the
/// facts the waste rules price with and CloudWatch does not publish. YACE's info series has none of them; they are
/// additive (its metric and label names are kept).
/// </summary>
public static class InfoLabels
{
    /// <summary>EC2 instance type, RDS DB instance class, ElastiCache node type, Redshift node type.</summary>
    public const string InstanceType = "instance_type";

    /// <summary>EBS volume type (<c>gp3</c>, <c>io2</c>, …).</summary>
    public const string VolumeType = "volume_type";

    /// <summary>EBS volume size in GiB.</summary>
    public const string SizeGib = "size_gib";

    /// <summary>The resource's state as its service says it: EBS <c>available</c> (unattached) or <c>in-use</c>; RDS, ElastiCache, Redshift status.</summary>
    public const string State = "state";

    /// <summary>RDS and ElastiCache engine (<c>mysql</c>, <c>postgres</c>, <c>redis</c>, …).</summary>
    public const string Engine = "engine";

    /// <summary>RDS Multi-AZ: <c>true</c> or <c>false</c>.</summary>
    public const string MultiAz = "multi_az";

    /// <summary>ElastiCache cache nodes, Redshift cluster nodes.</summary>
    public const string NodeCount = "node_count";

    /// <summary>Lambda configured memory in MB.</summary>
    public const string MemorySizeMb = "memory_size_mb";

    /// <summary>Lambda architecture (<c>x86_64</c>, <c>arm64</c>).</summary>
    public const string Architecture = "architecture";

    /// <summary>DynamoDB billing mode: <c>PROVISIONED</c> or <c>PAY_PER_REQUEST</c>.</summary>
    public const string BillingMode = "billing_mode";

    /// <summary>DynamoDB provisioned read capacity units of the table (0 on demand).</summary>
    public const string ReadCapacityUnits = "read_capacity_units";

    /// <summary>DynamoDB provisioned write capacity units of the table (0 on demand).</summary>
    public const string WriteCapacityUnits = "write_capacity_units";

    /// <summary>Load balancer type: <c>application</c>, <c>network</c>, <c>gateway</c> or <c>classic</c>.</summary>
    public const string LoadBalancerType = "load_balancer_type";

    /// <summary>When the resource was created, UTC, ISO 8601 (<c>2026-11-02T08:15:00Z</c>), where the service says.</summary>
    public const string Created = "created";
}
