using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.Prometheus.Configuration;
using Headroom.PromQL;

namespace Headroom.Gateway.Tests;

public sealed class ShardTopologyTests : IDisposable
{
    private static readonly Labels Up = Labels.Of("__name__", "up", "instance", "host-1", "job", "fleet");
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-topology-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_topology_file_gives_each_shard_its_time_range()
    {
        var shards = TopologyFileReader.Read("""
            generation: 4
            written_at: 2026-11-30T01:00:00Z
            shards:
              - name: shard-0
                replicas: [http://127.0.0.1:9101]
                active_from: 2026-11-30T00:00:00Z
                retired_at: 2026-11-30T00:30:00Z
              - name: shard-1
                replicas: [http://127.0.0.1:9102]
                active_from: 2026-11-30T00:20:00Z
            """);
        var retired = shards[0].Info;
        var at = static (int minute) => new DateTimeOffset(2026, 11, 30, 0, minute, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.True(retired.CanMatch([], at(10), at(20)));
        Assert.True(retired.CanMatch([], at(29), at(40)));
        Assert.False(retired.CanMatch([], at(31), at(40)));
        Assert.False(shards[1].Info.CanMatch([], at(0), at(19)));
        Assert.True(shards[1].Info.CanMatch([], at(0), at(20)));
        Assert.Null(shards[1].RetiredAt);
    }

    [Theory]
    [InlineData("    active_from: yesterday\n", "line 4", "active_from", "RFC 3339")]
    [InlineData("    active_from: 2026-11-30T01:00:00Z\n    retired_at: 2026-11-30T00:00:00Z\n", "line 5", "retired_at", "before active_from")]
    [InlineData("    retired: 2026-11-30T00:00:00Z\n", "line 4", "retired", "unknown key")]
    public void A_bad_shard_entry_names_its_line_and_key(string entry, string line, string key, string problem)
    {
        var e = Assert.Throws<ConfigException>(() => TopologyFileReader.Read("shards:\n  - name: a\n    replicas: [http://127.0.0.1:9101]\n" + entry));
        Assert.Contains(line, e.Message, StringComparison.Ordinal);
        Assert.Equal(key, e.Key);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_gateway_configuration_joins_the_shards_of_its_topology_file()
    {
        File.WriteAllText(Path.Combine(_directory, "topology.yml"), "shards:\n  - name: auto-0\n    replicas: [http://127.0.0.1:9101]\n");
        var path = Path.Combine(_directory, "gateway.yml");
        File.WriteAllText(path, "topology_file: topology.yml\nshards:\n  - name: static\n    replicas: [http://127.0.0.1:9090]\n");
        var config = GatewayConfigReader.ReadFile(path);
        Assert.Equal(["static", "auto-0"], config.Shards.Select(s => s.Name));
        Assert.Equal(Path.Combine(_directory, "topology.yml"), config.TopologyFile);

        File.WriteAllText(Path.Combine(_directory, "topology.yml"), "shards:\n  - name: static\n    replicas: [http://127.0.0.1:9101]\n");
        var e = Assert.Throws<ConfigException>(() => GatewayConfigReader.ReadFile(path));
        Assert.Contains("'static'", e.Message, StringComparison.Ordinal);

        File.Delete(Path.Combine(_directory, "topology.yml"));
        e = Assert.Throws<ConfigException>(() => GatewayConfigReader.ReadFile(path));
        Assert.Contains("topology.yml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_topology_file_alone_is_a_configuration()
    {
        var path = Path.Combine(_directory, "topology.yml");
        File.WriteAllText(path, "shards:\n  - name: auto-0\n    replicas: [http://127.0.0.1:9101]\n");
        var config = GatewayConfigReader.ForTopology(path);
        Assert.Equal("auto-0", Assert.Single(config.Shards).Name);
        Assert.Equal(path, config.TopologyFile);
    }

    /// <summary>The old shard scrapes every 10 s from 0 and drops the target at 105 s; the new one scrapes from 53 s on.</summary>
    [Fact]
    public void A_series_held_by_two_shards_during_a_handover_is_one_series_with_no_gap()
    {
        var old = Scrapes(0, 100, 10).Append(new FloatPoint(105_000, StaleMarker.Value)).ToArray();
        var moved = Scrapes(53, 200, 10).ToArray();
        var merged = FederatedSource.Join([new Series(Up, old), new Series(Up, moved)]);

        Assert.DoesNotContain(merged.Points, p => StaleMarker.IsStale(p.F));
        Assert.Equal(old[..^1].Concat(moved.Where(p => p.T > 100_000)), merged.Points);
        Assert.True(merged.Points.Zip(merged.Points.Skip(1)).All(p => p.Second.T - p.First.T <= 10_000));
    }

    /// <summary>
    /// The query reaches the present just after the old shard dropped the target: the new shard's next scrape has not
    /// happened, so nothing of it lies after the marker. It was scraping up to the marker, so the series goes on.
    /// </summary>
    [Fact]
    public void At_the_present_edge_a_handover_marker_does_not_hide_the_series()
    {
        var old = Scrapes(0, 100, 10).Append(new FloatPoint(105_000, StaleMarker.Value)).ToArray();
        var moved = Scrapes(53, 103, 10).ToArray();
        var merged = FederatedSource.Join([new Series(Up, old), new Series(Up, moved)]);

        Assert.DoesNotContain(merged.Points, p => StaleMarker.IsStale(p.F));
        Assert.Equal(103_000, merged.Points[^1].T);
    }

    /// <summary>The new shard's last sample is three intervals before the marker: it stopped too, so the marker stays.</summary>
    [Fact]
    public void A_marker_stays_where_the_other_copy_stopped_earlier()
    {
        var old = Scrapes(0, 100, 10).Append(new FloatPoint(105_000, StaleMarker.Value)).ToArray();
        var moved = Scrapes(3, 73, 10).ToArray();
        var merged = FederatedSource.Join([new Series(Up, old), new Series(Up, moved)]);

        Assert.True(StaleMarker.IsStale(merged.Points[^1].F));
        Assert.Equal(105_000, merged.Points[^1].T);
    }

    [Fact]
    public void A_target_gone_from_both_shards_still_goes_stale()
    {
        var a = Scrapes(0, 100, 10).Append(new FloatPoint(105_000, StaleMarker.Value)).ToArray();
        var b = Scrapes(3, 103, 10).Append(new FloatPoint(106_000, StaleMarker.Value)).ToArray();
        var merged = FederatedSource.Join([new Series(Up, a), new Series(Up, b)]);
        var firstMarker = Array.FindIndex(merged.Points, p => StaleMarker.IsStale(p.F));
        Assert.Equal(105_000, merged.Points[firstMarker].T);
        Assert.All(merged.Points[firstMarker..], p => Assert.True(StaleMarker.IsStale(p.F)));
    }

    [Fact]
    public void During_the_overlap_the_answer_follows_one_shard()
    {
        var a = Scrapes(0, 300, 10).ToArray();
        var b = Scrapes(5, 305, 10).ToArray();
        var merged = FederatedSource.Join([new Series(Up, a), new Series(Up, b)]);
        Assert.Equal(a.Concat(b.Where(p => p.T > 300_000)), merged.Points);
    }

    /// <summary>
    /// The old shard's scrapes reach the target 4 s after their timestamps (a loaded target), the new shard's at once:
    /// the new shard's first sample after the old one's last is stamped later but read earlier, so its counter value is
    /// lower. The answer passes over it, and a real reset later still shows.
    /// </summary>
    [Fact]
    public void A_counter_read_late_by_the_old_shard_never_steps_back_at_the_handover()
    {
        static double Counter(long readAtMs) => readAtMs / 1000.0 * 100;
        var old = Enumerable.Range(0, 11).Select(i => new FloatPoint(i * 10_000L, Counter(i * 10_000L + 4_000)))
            .Append(new FloatPoint(105_000, StaleMarker.Value)).ToArray();
        var moved = Enumerable.Range(0, 15).Select(i => 53_000L + i * 10_000)
            .Select(t => new FloatPoint(t, t < 173_000 ? Counter(t) : Counter(t - 173_000))).ToArray();

        var merged = FederatedSource.Join([new Series(Up, old), new Series(Up, moved)]).Points;

        Assert.Equal(old[..^1].Concat(moved.Where(p => p.T > 103_000)), merged);
        var resets = merged.Zip(merged.Skip(1)).Where(p => p.Second.F < p.First.F).Select(p => p.Second.T).ToList();
        Assert.Equal([173_000L], resets);
        Assert.True(merged.Zip(merged.Skip(1)).All(p => p.Second.T - p.First.T <= 2 * 10_000));
    }

    [Fact]
    public void Replicas_keep_every_gap_filling_sample_whatever_its_value()
    {
        // Between HA replicas (assumed to read alike) the first sample after a switch is kept even when lower.
        var a = Enumerable.Range(0, 11).Select(i => new FloatPoint(i * 10_000L, 1_000 + i)).ToArray();
        var b = Enumerable.Range(0, 15).Select(i => new FloatPoint(53_000L + i * 10_000, 0.5 + i)).ToArray();

        var merged = ReplicaDeduplicator.Merge([a, b]);

        Assert.Equal(a.Concat(b.Where(p => p.T > 100_000)), merged);
    }

    private static IEnumerable<FloatPoint> Scrapes(int fromSeconds, int toSeconds, int stepSeconds)
    {
        for (var s = fromSeconds; s <= toSeconds; s += stepSeconds)
            yield return new FloatPoint(s * 1000L, 1);
    }
}
