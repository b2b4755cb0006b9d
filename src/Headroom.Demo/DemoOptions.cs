namespace Headroom.Demo;

/// <summary>What <c>headroom demo</c> was asked for.</summary>
/// <param name="Hosts">How many simulated hosts the fleet has.</param>
/// <param name="Seed">The fleet's seed: the same seed gives the same fleet and history.</param>
/// <param name="Days">Days of history to backfill, 1 to 30.</param>
/// <param name="Directory">Where the demo's data goes and stays; null for a temporary directory removed at the end.</param>
/// <param name="Wait">Keep everything running after the summary until the cancellation token fires (Ctrl-C).</param>
/// <param name="Aws">Tell the CloudWatch story (moto_server, the collector, the aws-ec2 profile) instead of the node story.</param>
/// <param name="Shards">Prometheus shards of the node story, behind the gateway when more than one.</param>
/// <param name="Replicas">HA replicas per shard.</param>
/// <param name="Autoscale">
/// Tell the autoscaling story instead: a live fleet that grows to four times its first size, the autoscaler adding
/// shards to the <paramref name="Shards"/> it starts with, the global ruler and an alert through an HA Alertmanager pair.
/// </param>
public sealed record DemoOptions(int Hosts, long Seed, int Days, string? Directory, bool Wait, bool Aws, int Shards = 1, int Replicas = 1, bool Autoscale = false)
{
    /// <summary>True when the node story runs over shards or replicas behind the gateway.</summary>
    public bool Sharded => Shards > 1 || Replicas > 1;
}
