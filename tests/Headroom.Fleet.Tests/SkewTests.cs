namespace Headroom.Fleet.Tests;

public class SkewTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static int SamplesIn(string exposition) =>
        exposition.Split('\n').Count(static l => l.Length > 0 && l[0] != '#');

    [Fact]
    public void A_host_exposes_exactly_its_series_count()
    {
        var fleet = SimulatedFleet.Create(60, 3, skew: 0.5);
        Assert.Contains(fleet.Hosts, h => h.ContainerInterfaces > 0);
        Assert.All(fleet.Hosts, h => Assert.Equal(h.SeriesCount, SamplesIn(Exposition.ToText(h, Now))));
    }

    [Fact]
    public void The_skew_changes_nothing_but_the_container_interfaces()
    {
        var plain = SimulatedFleet.Create(200, 7);
        var skewed = SimulatedFleet.Create(200, 7, skew: 0.3);
        Assert.Equal(FleetTruth.Of(plain).ToJson(), FleetTruth.Of(skewed).ToJson());
        Assert.All(plain.Hosts, h => Assert.Equal(0, h.ContainerInterfaces));
        var containerHosts = skewed.Hosts.Count(h => h.ContainerInterfaces > 0);
        Assert.InRange(containerHosts, 40, 80);
        Assert.All(skewed.Hosts.Where(h => h.ContainerInterfaces > 0), h => Assert.InRange(h.ContainerInterfaces, 8, 512));
        // eth0's counters are the same with or without containers.
        var host = skewed.Hosts.First(h => h.ContainerInterfaces > 0);
        var eth0 = Exposition.ToText(host, Now).Split('\n').Where(l => l.Contains("device=\"eth0\"", StringComparison.Ordinal));
        var plainEth0 = Exposition.ToText(plain.ById[host.Id], Now).Split('\n').Where(l => l.Contains("device=\"eth0\"", StringComparison.Ordinal));
        Assert.Equal(plainEth0, eth0);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_skew_outside_0_to_1_is_refused(double skew) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SimulatedFleet.Create(10, 1, skew));
}
