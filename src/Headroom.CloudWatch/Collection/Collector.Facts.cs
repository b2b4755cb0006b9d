using System.Globalization;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Config;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Collection;

public sealed partial class Collector
{
    /// <summary>
    /// Adds what each service's describe API says of the discovered resources (<see cref="InfoLabels"/>): EBS volumes'
    /// size, type and state (EC2 DescribeVolumes); RDS instances' class, engine and Multi-AZ (DescribeDBInstances);
    /// ElastiCache clusters' node type and count (DescribeCacheClusters); Redshift clusters' node type and count
    /// (DescribeClusters); load balancers' type (ELBv2 DescribeLoadBalancers); Lambda functions' memory and architecture
    /// (ListFunctions); DynamoDB tables' billing mode and provisioned capacity (DescribeTable). Runs inside discovery, so
    /// it is cached alike; the answers are asked for through <paramref name="descriptions"/>, which keeps Lambda's and
    /// DynamoDB's for the enhanced metrics, and the region-wide ones through <paramref name="pass"/>, shared with its other jobs. A describe call that
    /// fails (a missing permission) is logged and the resources keep no facts: the reports then say which fact is missing
    /// instead of pricing a guess.
    /// </summary>
    private async Task<IReadOnlyList<DiscoveredResource>> WithFactsAsync(DiscoveryJob job, string region, RoleConfig role, AwsCredentials credentials,
        AnswerMemo pass, ResourceDescriptions descriptions, List<DiscoveredResource> resources, CancellationToken cancellationToken)
    {
        if (resources.Count == 0)
            return resources;
        try
        {
            return job.Namespace switch
            {
                "AWS/EBS" => await VolumesAsync(region, credentials, resources, cancellationToken).ConfigureAwait(false),
                "AWS/RDS" => Join(resources, "DBInstanceIdentifier", await descriptions.DescribeAsync(pass, AwsApi.DescribeDBInstances, credentials, "DBInstances", "DBInstance", "Marker", cancellationToken).ConfigureAwait(false),
                    "DBInstanceIdentifier", static d => Facts(
                        (InfoLabels.InstanceType, d.GetValueOrDefault("DBInstanceClass")), (InfoLabels.Engine, d.GetValueOrDefault("Engine")),
                        (InfoLabels.MultiAz, d.GetValueOrDefault("MultiAZ")?.ToLowerInvariant()), (InfoLabels.State, d.GetValueOrDefault("DBInstanceStatus")),
                        (InfoLabels.Created, Time(d.GetValueOrDefault("InstanceCreateTime"))))),
                "AWS/ElastiCache" => Join(resources, "CacheClusterId", await descriptions.DescribeAsync(pass, AwsApi.DescribeCacheClusters, credentials, "CacheClusters", "CacheCluster", "Marker", cancellationToken).ConfigureAwait(false),
                    "CacheClusterId", static d => Facts(
                        (InfoLabels.InstanceType, d.GetValueOrDefault("CacheNodeType")), (InfoLabels.Engine, d.GetValueOrDefault("Engine")),
                        (InfoLabels.NodeCount, d.GetValueOrDefault("NumCacheNodes")), (InfoLabels.State, d.GetValueOrDefault("CacheClusterStatus")),
                        (InfoLabels.Created, Time(d.GetValueOrDefault("CacheClusterCreateTime"))))),
                "AWS/Redshift" => Join(resources, "ClusterIdentifier", await descriptions.DescribeAsync(pass, AwsApi.DescribeClusters, credentials, "Clusters", "Cluster", "Marker", cancellationToken).ConfigureAwait(false),
                    "ClusterIdentifier", static d => Facts(
                        (InfoLabels.InstanceType, d.GetValueOrDefault("NodeType")), (InfoLabels.NodeCount, d.GetValueOrDefault("NumberOfNodes")),
                        (InfoLabels.State, d.GetValueOrDefault("ClusterStatus")), (InfoLabels.Created, Time(d.GetValueOrDefault("ClusterCreateTime"))))),
                "AWS/ApplicationELB" or "AWS/NetworkELB" or "AWS/GatewayELB" => JoinArn(resources, await descriptions.DescribeAsync(pass, AwsApi.DescribeLoadBalancers, credentials, "LoadBalancers", "member", "NextMarker", cancellationToken).ConfigureAwait(false),
                    "LoadBalancerArn", static d => Facts((InfoLabels.LoadBalancerType, d.GetValueOrDefault("Type")), (InfoLabels.Created, Time(d.GetValueOrDefault("CreatedTime"))))),
                // A classic load balancer is one by its namespace: no call needed.
                "AWS/ELB" => [.. resources.Select(static r => r with { Facts = Facts((InfoLabels.LoadBalancerType, "classic")) })],
                "AWS/Lambda" => await FunctionsAsync(pass, descriptions, credentials, resources, cancellationToken).ConfigureAwait(false),
                "AWS/DynamoDB" => await TablesAsync(descriptions, credentials, resources, cancellationToken).ConfigureAwait(false),
                _ => resources,
            };
        }
        catch (AwsApiException e)
        {
            CollectorLog.FactsFailed(Logger, job.Namespace, role.AccountId ?? "of the ambient credentials", region, CollectorLog.Summary(e));
            return resources;
        }
    }

    private async Task<IReadOnlyList<DiscoveredResource>> VolumesAsync(string region, AwsCredentials credentials, List<DiscoveredResource> resources, CancellationToken cancellationToken)
    {
        var ids = resources.Select(static r => r.Dimensions.GetValueOrDefault("VolumeId")).OfType<string>().ToList();
        var volumes = await _accounts.DescribeVolumesAsync(credentials, region, ids, cancellationToken).ConfigureAwait(false);
        return [.. resources.Select(r => r.Dimensions.TryGetValue("VolumeId", out var id) && volumes.TryGetValue(id, out var v)
            ? r with
            {
                Facts = Facts((InfoLabels.VolumeType, v.Type), (InfoLabels.SizeGib, v.SizeGib?.ToString(CultureInfo.InvariantCulture)), (InfoLabels.State, v.State),
                    (InfoLabels.Created, v.Created is { } c ? Time(DateTime.SpecifyKind(c.ToUniversalTime(), DateTimeKind.Utc)) : null)),
            }
            : r)];
    }

    private static async Task<IReadOnlyList<DiscoveredResource>> FunctionsAsync(AnswerMemo pass, ResourceDescriptions descriptions, AwsCredentials credentials,
        List<DiscoveredResource> resources, CancellationToken cancellationToken)
    {
        var functions = (await descriptions.FunctionsAsync(pass, credentials, cancellationToken).ConfigureAwait(false))
            .Where(static f => f.FunctionArn is not null)
            .GroupBy(static f => f.FunctionArn!, StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.First(), StringComparer.Ordinal);
        return [.. resources.Select(r => functions.TryGetValue(r.Arn, out var f)
            ? r with
            {
                Facts = Facts((InfoLabels.MemorySizeMb, f.MemorySize?.ToString(CultureInfo.InvariantCulture)),
                    // Lambda's default, when the answer predates architectures, is x86_64.
                    (InfoLabels.Architecture, f.Architectures is [var first, ..] ? first : "x86_64")),
            }
            : r)];
    }

    private static async Task<IReadOnlyList<DiscoveredResource>> TablesAsync(ResourceDescriptions descriptions, AwsCredentials credentials, List<DiscoveredResource> resources, CancellationToken cancellationToken)
    {
        var result = new List<DiscoveredResource>(resources.Count);
        foreach (var r in resources)
        {
            if (!r.Dimensions.TryGetValue("TableName", out var name))
            {
                result.Add(r);
                continue;
            }
            var table = await descriptions.TableAsync(credentials, name, cancellationToken).ConfigureAwait(false);
            if (table is null)
            {
                result.Add(r);
                continue;
            }
            // A table created before billing modes existed has no summary: it is provisioned.
            var mode = table.BillingModeSummary?.BillingMode ?? "PROVISIONED";
            result.Add(r with
            {
                Facts = Facts((InfoLabels.BillingMode, mode),
                    (InfoLabels.ReadCapacityUnits, table.ProvisionedThroughput?.ReadCapacityUnits?.ToString(CultureInfo.InvariantCulture)),
                    (InfoLabels.WriteCapacityUnits, table.ProvisionedThroughput?.WriteCapacityUnits?.ToString(CultureInfo.InvariantCulture)),
                    (InfoLabels.Created, table.CreationDateTime is { } s ? Time(DateTimeOffset.FromUnixTimeMilliseconds((long)(s * 1000)).UtcDateTime) : null)),
            });
        }
        return result;
    }

    /// <summary>Facts of the describe records, joined to resources by a dimension value (the resource's identifier).</summary>
    private static IReadOnlyList<DiscoveredResource> Join(List<DiscoveredResource> resources, string dimension, IReadOnlyList<IReadOnlyDictionary<string, string>> records,
        string idField, Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>> facts)
    {
        var byId = records.Where(d => d.ContainsKey(idField)).GroupBy(d => d[idField], StringComparer.Ordinal).ToDictionary(static g => g.Key, static g => g.First(), StringComparer.Ordinal);
        return [.. resources.Select(r => r.Dimensions.TryGetValue(dimension, out var id) && byId.TryGetValue(id, out var d) ? r with { Facts = facts(d) } : r)];
    }

    /// <summary>Facts of the describe records, joined to resources by ARN.</summary>
    private static IReadOnlyList<DiscoveredResource> JoinArn(List<DiscoveredResource> resources, IReadOnlyList<IReadOnlyDictionary<string, string>> records,
        string arnField, Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>> facts)
    {
        var byArn = records.Where(d => d.ContainsKey(arnField)).GroupBy(d => d[arnField], StringComparer.Ordinal).ToDictionary(static g => g.Key, static g => g.First(), StringComparer.Ordinal);
        return [.. resources.Select(r => byArn.TryGetValue(r.Arn, out var d) ? r with { Facts = facts(d) } : r)];
    }

    private static Dictionary<string, string> Facts(params (string Label, string? Value)[] facts) =>
        facts.Where(static f => !string.IsNullOrEmpty(f.Value)).ToDictionary(static f => f.Label, static f => f.Value!, StringComparer.Ordinal);

    /// <summary>An AWS timestamp (ISO 8601, any offset) as UTC <c>yyyy-MM-ddTHH:mm:ssZ</c>; null when it does not parse.</summary>
    private static string? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? Time(t.UtcDateTime) : null;

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
