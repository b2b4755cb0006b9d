using Headroom.Fleet;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;
using Headroom.Sharding;

namespace Headroom.Sharding.Tests;

/// <summary>Targets of the fleet simulator's skewed profile: 30% container hosts, series per host from about 30 to over 1,000.</summary>
internal static class SkewedFleet
{
    public const double Skew = 0.3;

    public static IReadOnlyList<ShardTarget> Targets(int hosts, long seed = 7) =>
        [.. SimulatedFleet.Create(hosts, seed, Skew).Hosts.Select(h => new ShardTarget(h.Id, h.SeriesCount + UsageReader.SeriesAddedPerTarget))];

    public static IReadOnlyList<FileSdTarget> FileSd(int hosts, long seed = 7) =>
        TargetFile.Parse(FileSdTargetGroup.ToJson(FleetTargets.For(SimulatedFleet.Create(hosts, seed, Skew), "127.0.0.1:9100")));
}
