using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.IntegrationTests.Alerting;

/// <summary>The HA Alertmanager configuration in deploy/alertmanager is valid and routes as its comments say.</summary>
public sealed class AlertmanagerDeployTests
{
    private static readonly string Config = RepositoryPaths.Combine("deploy", "alertmanager", "alertmanager.yml");

    [Fact]
    public async Task Amtool_accepts_the_configuration()
    {
        var result = await Amtool.CheckConfigAsync(Config);

        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
        Assert.Contains("SUCCESS", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deadmansswitch", "alertname=Watchdog,severity=none")]
    [InlineData("pager", "alertname=HeadroomShardDown,severity=critical,shard=a")]
    [InlineData("team", "alertname=HeadroomPrometheusReplicaDown,severity=warning,shard=a")]
    public async Task Alerts_are_routed_to_the_receiver_for_their_severity(string receiver, string labels)
    {
        var pairs = labels.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

        var result = await Amtool.TestRouteAsync(Config, receiver, pairs);

        Assert.True(result.Succeeded, $"{labels} not routed to {receiver}: {result.StandardOutput}{result.StandardError}");
    }

    [Fact]
    public async Task Amtool_rejects_a_route_to_the_wrong_receiver()
    {
        var result = await Amtool.TestRouteAsync(Config, "team", new Dictionary<string, string> { ["alertname"] = "Watchdog" });

        Assert.False(result.Succeeded, result.StandardOutput);
    }

    [Fact]
    public async Task The_prometheus_alerting_section_is_valid_prometheus_configuration()
    {
        using var scratch = new ScratchDirectory();
        var config = scratch.Combine("prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 15s\n"
            + await File.ReadAllTextAsync(RepositoryPaths.Combine("deploy", "alertmanager", "prometheus-alerting.yml")));

        var result = await Promtool.CheckConfigAsync(config);

        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
    }
}
