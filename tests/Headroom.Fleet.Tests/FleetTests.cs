namespace Headroom.Fleet.Tests;

public class FleetTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Same_seed_gives_the_same_hosts_and_values()
    {
        var a = SimulatedFleet.Create(40, 7);
        var b = SimulatedFleet.Create(40, 7);
        Assert.Equal(FleetTruth.Of(a).ToJson(), FleetTruth.Of(b).ToJson());
        for (var i = 0; i < a.Hosts.Count; i++)
            Assert.Equal(Exposition.ToText(a.Hosts[i], Now), Exposition.ToText(b.Hosts[i], Now));
    }

    [Fact]
    public void Different_seeds_give_different_fleets()
    {
        var a = FleetTruth.Of(SimulatedFleet.Create(40, 7));
        var b = FleetTruth.Of(SimulatedFleet.Create(40, 8));
        Assert.NotEqual(a.Hosts.Select(h => (h.CpuProfile, h.InstanceType, h.Name)), b.Hosts.Select(h => (h.CpuProfile, h.InstanceType, h.Name)));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(24)]
    [InlineData(1000)]
    public void Every_profile_is_present_in_proportion(int hosts)
    {
        var fleet = SimulatedFleet.Create(hosts, 3);
        var counts = fleet.Hosts.GroupBy(h => h.CpuProfile).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enum.GetValues<CpuProfile>().Length, counts.Count);
        Assert.Equal(hosts, counts.Values.Sum());
        Assert.InRange(counts[CpuProfile.Underused], (int)Math.Floor(hosts * 0.2) - 1, (int)Math.Ceiling(hosts * 0.2) + 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(SimulatedFleet.MaxHosts + 1)]
    public void Bad_host_counts_are_refused(int hosts) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SimulatedFleet.Create(hosts, 1));

    [Fact]
    public void Host_capacity_matches_its_instance_type()
    {
        foreach (var host in SimulatedFleet.Create(50, 11).Hosts)
        {
            var text = Exposition.ToText(host, Now);
            var cpus = Metrics.Parse(text).Keys.Count(k => k.StartsWith("node_cpu_seconds_total{", StringComparison.Ordinal) && k.Contains("mode=\"idle\"", StringComparison.Ordinal));
            Assert.Equal(host.InstanceType.VCpus, cpus);
            Assert.InRange(host.MemoryTotalBytes, host.InstanceType.MemoryGiB * 0.9 * (1L << 30), host.InstanceType.MemoryGiB * (1L << 30));
        }
    }
}
