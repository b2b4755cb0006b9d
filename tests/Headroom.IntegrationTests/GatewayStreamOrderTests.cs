using System.Globalization;
using System.Net;
using System.Text;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Syntax;
using Headroom.Servers;

namespace Headroom.IntegrationTests;

/// <summary>
/// Real Prometheus replicas stream their series sorted by their TSDB labels and merge their external labels in
/// afterwards; the gateway keeps the shard label, which puts nested label sets in another order. The gateway streams
/// its merge of them and must still answer sorted, each series once, with every sample.
/// </summary>
public sealed class GatewayStreamOrderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Nested_label_sets_from_real_replicas_stream_through_the_gateway_sorted_and_whole()
    {
        // m{a="1"} sorts before m{a="1",b="2"}, but with shard="0" added after a and b the other way round.
        string[] series = ["m{a=\"1\"}", "m{a=\"1\",b=\"2\"}", "m{a=\"1\",b=\"2\",c=\"3\"}", "m{a=\"1\",z=\"9\"}", "m{a=\"2\"}", "m{a=\"2\",b=\"1\"}", "m{b=\"1\"}"];
        using var directory = TempDirectory.Create("gateway-stream-order");
        var file = Path.Combine(directory.Path, "history.om");
        var text = new StringBuilder("# TYPE m gauge\n");
        for (var i = 0; i < 240; i++)
        {
            foreach (var s in series)
            {
                text.Append(CultureInfo.InvariantCulture, $"{s} {i} {Start.AddSeconds(15 * i).ToUnixTimeSeconds()}\n");
            }
        }
        text.Append("# EOF\n");
        await File.WriteAllTextAsync(file, text.ToString());
        await using var topology = await PrometheusTopology.StartAsync(new PrometheusTopologyOptions { Shards = 1, Replicas = 2, HistoryFile = file });
        var config = GatewayConfig.For([new ShardConfig("shard-0", [.. topology.Shards[0].Replicas.Select(r => r.BaseUri)], Labels.Of("shard", "0"))]);
        await using var gateway = await GatewayServer.StartAsync(config, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var read = new List<Series>();
        var query = new RemoteReadQuery([new LabelMatcher(LabelMatchType.Equal, "__name__", "m")], Start.ToUnixTimeMilliseconds(), Start.AddHours(2).ToUnixTimeMilliseconds());
        await foreach (var item in new RemoteReadClient(http, gateway.BaseUri).StreamAsync([query]))
        {
            read.Add(item.Series);
        }

        var direct = new List<Labels>();
        await foreach (var item in new RemoteReadClient(http, topology.Shards[0].Replicas[0].BaseUri).StreamAsync([query]))
        {
            direct.Add(item.Series.Labels.Without(["replica"]));
        }

        // A SAMPLES answer, sorted by the client as the server streams: the same order.
        var samples = new List<Labels>();
        var samplesClient = new RemoteReadClient(http, topology.Shards[0].Replicas[0].BaseUri, RemoteReadResponseType.Samples);
        await foreach (var item in samplesClient.StreamInServerOrderAsync([query], [PrometheusTopology.ShardLabel, PrometheusTopology.ReplicaLabel]))
        {
            samples.Add(item.Series.Labels.Without(["replica"]));
        }

        var expected = series.Select(s => Labels.From(Parse(s).Append(new Label("shard", "0")))).ToList();
        expected.Sort(Labels.Compare);
        // The replica itself sends them in another order (sorted before its external labels were added): the case is real.
        Assert.Equal(expected.Count, direct.Count);
        Assert.NotEqual(expected.Select(l => l.ToString()), direct.Select(l => l.ToString()));
        Assert.Equal(RemoteReadResponseType.Samples, samplesClient.LastResponseType);
        Assert.Equal(direct.Select(l => l.ToString()), samples.Select(l => l.ToString()));
        Assert.Equal(expected.Select(l => l.ToString()), read.Select(s => s.Labels.ToString()));
        Assert.All(read, s => Assert.Equal(240, s.Points.Length));
    }

    private static IEnumerable<Label> Parse(string series)
    {
        yield return new Label("__name__", series[..series.IndexOf('{', StringComparison.Ordinal)]);
        var inner = series[(series.IndexOf('{', StringComparison.Ordinal) + 1)..^1];
        foreach (var pair in inner.Split(','))
        {
            var parts = pair.Split('=');
            yield return new Label(parts[0], parts[1].Trim('"'));
        }
    }
}
