using System.Net;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Servers;

namespace Headroom.Etl.Tests.RealHost;

/// <summary>
/// The simulated fleet scraped as real hosts are: file_sd target groups carrying the labels EC2 discovery and the shipped
/// relabeling give, node_uname_info and node_dmi_info. The node profile's sources without the override
/// (headroom_host_info) must yield the same resources as the simulator's own metadata.
/// </summary>
public sealed class FleetFileSdTests
{
    [Fact]
    public async Task A_file_sd_list_with_the_discovery_labels_yields_the_simulators_own_metadata()
    {
        var fleet = SimulatedFleet.Create(4, 18);
        await using var server = await FleetServer.StartAsync(fleet, new IPEndPoint(IPAddress.Loopback, 0));
        var directory = Directory.CreateTempSubdirectory("headroom-filesd-");
        try
        {
            var sd = Path.Combine(directory.FullName, "targets.json");
            await FileSdTargetGroup.WriteFileAsync(sd, FleetTargets.For(fleet, server.Address, withMetadata: true));
            await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions
            {
                ScrapeSelf = false,
                ScrapeInterval = "1s",
                ScrapeConfigsYaml = FleetTargets.ScrapeConfigYaml(sd, "1s"),
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var client = new PrometheusClient(http, prometheus.BaseUri);
            // Bounded: file_sd is read at start, the first scrapes follow within seconds.
            for (var i = 0; i < 150 && (await client.QueryAsync("node_uname_info", DateTimeOffset.UtcNow)).Series.Count < fleet.Hosts.Count; i++)
                await Task.Delay(200);

            var node = ProfileLoader.Load("node");
            var to = DateTimeOffset.UtcNow.AddSeconds(1);
            var from = to.AddMinutes(-1);
            var own = await MetadataReader.ReadAsync(client, node with { MetadataSources = [] }, from, to, CancellationToken.None);
            var real = await MetadataReader.ReadAsync(client, node with { Info = null }, from, to, CancellationToken.None);
            var withoutDiscovery = await MetadataReader.ReadAsync(
                client, node with { Info = null, MetadataSources = [.. node.MetadataSources.Where(s => s.DisplayName != "target labels")] }, from, to, CancellationToken.None);

            Assert.Equal(fleet.Hosts.Count, own.Count);
            Assert.Equal(own.Keys.Order(StringComparer.Ordinal), real.Keys.Order(StringComparer.Ordinal));
            foreach (var host in fleet.Hosts)
            {
                var key = own.Keys.Single(k => k.Contains(host.Id, StringComparison.Ordinal));
                var (o, r, d) = (own[key], real[key], withoutDiscovery[key]);
                Assert.Equal((host.Account, host.Region, host.InstanceType.Name, host.Name), (o.Account, o.Region, o.InstanceType, o.Name));
                Assert.Equal((o.Account, o.Region, o.InstanceType, o.Name), (r.Account, r.Region, r.InstanceType, r.Name));
                Assert.Equal("target labels", r.Extra["source.instance_type"]);
                Assert.Equal("availability_zone (target labels)", r.Extra["source.region"]);
                Assert.Equal(host.InstanceId, r.Extra["instance_id"]);
                // With no discovery labels: the type from DMI, the name from the kernel; account and region unknown.
                Assert.Equal((null, null, host.InstanceType.Name, host.Name), (d.Account, d.Region, d.InstanceType, d.Name));
                Assert.Equal("node_dmi_info", d.Extra["source.instance_type"]);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
