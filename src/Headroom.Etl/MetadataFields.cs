namespace Headroom.Etl;

/// <summary>
/// The metadata fields a profile's sources give, and how a resource's metadata (<c>resources.metadata_json</c>)
/// stores the fields without a column of their own and the source of every field.
/// </summary>
public static class MetadataFields
{
    /// <summary>The account (AWS account id, Azure subscription, GCP project).</summary>
    public const string Account = "account";

    /// <summary>The region; derived from <see cref="AvailabilityZone"/> when no source gives it.</summary>
    public const string Region = "region";

    /// <summary>The instance type, the key into the price catalog.</summary>
    public const string InstanceType = "instance_type";

    /// <summary>A name for people.</summary>
    public const string Name = "name";

    /// <summary>The cloud's instance id; sources with a join (aws_ec2_info) find their resource by it.</summary>
    public const string InstanceId = "instance_id";

    /// <summary>The availability zone.</summary>
    public const string AvailabilityZone = "availability_zone";

    /// <summary>What the host costs a month in USD, for hosts no price catalog lists (on-premises, other clouds).</summary>
    public const string MonthlyCost = "monthly_cost";

    /// <summary>Every field, warehouse columns first.</summary>
    public static IReadOnlyList<string> All { get; } = [Account, Region, InstanceType, Name, InstanceId, AvailabilityZone, MonthlyCost];

    /// <summary>Fields stored in the resource's metadata under their own name (they have no column).</summary>
    public static IReadOnlyList<string> Kept { get; } = [InstanceId, AvailabilityZone, MonthlyCost];

    /// <summary>The metadata key holding the source that gave <paramref name="field"/>, e.g. <c>source.instance_type</c>.</summary>
    public static string SourceKey(string field) => "source." + field;

    /// <summary>
    /// What to add when a resource has no instance type: shown by <c>headroom etl status</c> and the report.
    /// </summary>
    public const string MissingTypeHint =
        "relabel the service-discovery instance type onto the target (deploy/prometheus/), run node_exporter with its dmi collector on EC2, " +
        "export headroom_host_info{instance_type=...}, or give a monthly_cost label or a host price file (docs/etl.md, 'Using your own Prometheus')";
}
