using Headroom.Fleet.Simulation;

namespace Headroom.Fleet;

/// <summary>
/// A deterministic fleet of simulated hosts. The same host count and seed always give the same hosts,
/// profiles and metric values; each profile's share of the fleet is fixed, so small fleets still hold
/// every profile.
/// </summary>
public sealed class SimulatedFleet
{
    /// <summary>Largest fleet the simulator builds.</summary>
    public const int MaxHosts = 100_000;

    // Share of the fleet per profile, in tenths. Stratified, not sampled, so that every fleet of six or
    // more hosts holds every profile and the reports' tests have known positives and negatives.
    private static readonly (CpuProfile Profile, double Weight)[] ProfileWeights =
    [
        (CpuProfile.Idle, 1.0),
        (CpuProfile.Underused, 2.0),
        (CpuProfile.Steady, 2.5),
        (CpuProfile.Diurnal, 2.0),
        (CpuProfile.Bursty, 1.5),
        (CpuProfile.Saturated, 1.0),
    ];

    private SimulatedFleet(long seed, IReadOnlyList<SimulatedHost> hosts)
    {
        Seed = seed;
        Hosts = hosts;
        ById = hosts.ToDictionary(static h => h.Id, StringComparer.Ordinal);
    }

    /// <summary>The seed the fleet was drawn from.</summary>
    public long Seed { get; }

    /// <summary>The hosts, in id order.</summary>
    public IReadOnlyList<SimulatedHost> Hosts { get; }

    /// <summary>Hosts by <see cref="SimulatedHost.Id"/>.</summary>
    public IReadOnlyDictionary<string, SimulatedHost> ById { get; }

    /// <summary>Builds the fleet of <paramref name="hosts"/> hosts drawn from <paramref name="seed"/>.</summary>
    /// <param name="hosts">How many hosts, 1 to <see cref="MaxHosts"/>.</param>
    /// <param name="seed">The seed every host and value is drawn from.</param>
    /// <param name="skew">
    /// The share of hosts (0 to 1) that run containers and so expose one pair of network series per container
    /// interface (8 to 512 interfaces, log-uniform): series counts per host then span two orders of magnitude, as in a
    /// fleet of plain VMs beside Kubernetes nodes. 0 (the default) gives every host its node_exporter series only; the
    /// skew never changes a host's identity, profile or other values.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="hosts"/> is not between 1 and <see cref="MaxHosts"/> or <paramref name="skew"/> not between 0 and 1.</exception>
    public static SimulatedFleet Create(int hosts, long seed, double skew = 0)
    {
        if (hosts is < 1 or > MaxHosts)
            throw new ArgumentOutOfRangeException(nameof(hosts), hosts, $"the fleet needs between 1 and {MaxHosts} hosts");
        if (skew is < 0 or > 1 || double.IsNaN(skew))
            throw new ArgumentOutOfRangeException(nameof(skew), skew, "the skew is the share of hosts running containers, between 0 and 1");

        var accounts = Accounts(seed);
        var profiles = AssignProfiles(hosts, seed);
        var width = Math.Max(4, hosts.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        var list = new SimulatedHost[hosts];
        for (var i = 0; i < hosts; i++)
            list[i] = HostFactory.Create(seed, i, width, profiles[i], accounts, skew);
        return new SimulatedFleet(seed, list);
    }

    /// <summary>
    /// The same fleet with one host's CloudWatch CPU view reading <paramref name="points"/> percentage points above its
    /// node_exporter view from <paramref name="from"/> on (clamped to 0..100): the known truth a cross-validation of the two
    /// sources must find, for that host and no other.
    /// </summary>
    /// <exception cref="ArgumentException">No host has id <paramref name="hostId"/>, or <paramref name="points"/> is not between -100 and 100.</exception>
    public SimulatedFleet WithCloudWatchCpuSkew(string hostId, double points, DateTimeOffset? from = null)
    {
        if (!ById.ContainsKey(hostId))
            throw new ArgumentException($"no host '{hostId}' in the fleet; ids run from {Hosts[0].Id} to {Hosts[^1].Id}", nameof(hostId));
        if (points is < -100 or > 100 || double.IsNaN(points))
            throw new ArgumentOutOfRangeException(nameof(points), points, "the skew is in percentage points of CPU, between -100 and 100");
        return new SimulatedFleet(Seed, [.. Hosts.Select(h => h.Id == hostId ? h.WithCloudWatchCpuSkew(points, from ?? DateTimeOffset.MinValue) : h)]);
    }

    private static string[] Accounts(long seed)
    {
        var draw = new Draw(DeterministicRandom.Stream((ulong)seed, ulong.MaxValue, 0x616363));
        return [.. Enumerable.Range(0, 3).Select(_ => ((long)draw.Between(1e11, 1e12)).ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>Largest-remainder counts per profile, then a seeded shuffle.</summary>
    private static CpuProfile[] AssignProfiles(int hosts, long seed)
    {
        var total = ProfileWeights.Sum(static w => w.Weight);
        var exact = ProfileWeights.Select(w => w.Weight / total * hosts).ToArray();
        var counts = exact.Select(static e => (int)Math.Floor(e)).ToArray();
        foreach (var i in Enumerable.Range(0, exact.Length).OrderByDescending(i => exact[i] - counts[i]).ThenBy(static i => i).Take(hosts - counts.Sum()))
            counts[i]++;

        var profiles = new CpuProfile[hosts];
        var next = 0;
        for (var p = 0; p < counts.Length; p++)
        {
            for (var c = 0; c < counts[p]; c++)
                profiles[next++] = ProfileWeights[p].Profile;
        }

        var draw = new Draw(DeterministicRandom.Stream((ulong)seed, ulong.MaxValue, 0x73687566));
        for (var i = hosts - 1; i > 0; i--)
        {
            var j = draw.Below(i + 1);
            (profiles[i], profiles[j]) = (profiles[j], profiles[i]);
        }
        return profiles;
    }
}
