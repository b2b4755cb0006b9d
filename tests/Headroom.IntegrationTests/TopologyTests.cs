using System.Globalization;
using System.Text.RegularExpressions;
using Headroom.Prometheus.Relabeling;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Syntax;
using Headroom.Servers;
using Headroom.Testing;
using Xunit.Abstractions;

namespace Headroom.IntegrationTests;

/// <summary>Reads a replica's raw data back through remote read, the way a gateway reads shards.</summary>
internal static class ShardReads
{
    private static readonly long From = PromqlHistory.Start.AddHours(-1).ToUnixTimeMilliseconds();
    private static readonly long To = PromqlHistory.End.AddHours(1).ToUnixTimeMilliseconds();
    private static readonly string[] TopologyLabels = [PrometheusTopology.ShardLabel, PrometheusTopology.ReplicaLabel];

    /// <summary>Every series of the history the server at <paramref name="baseUri"/> holds, as remote read returns it (external labels included).</summary>
    public static async Task<IReadOnlyList<Series>> AllSeriesAsync(HttpClient http, Uri baseUri)
    {
        var results = await new RemoteReadClient(http, baseUri).ReadAsync(
            [new RemoteReadQuery([new LabelMatcher(LabelMatchType.Regex, Labels.MetricName, ".+")], From, To)]);
        return Assert.Single(results);
    }

    /// <summary>The series without the topology's external labels, keyed by their labels' text.</summary>
    public static Dictionary<string, FloatPoint[]> ByLabels(IEnumerable<Series> series) =>
        series.ToDictionary(s => s.Labels.Without(TopologyLabels).ToString(), s => s.Points, StringComparer.Ordinal);
}

/// <summary>The 2 × 2 topology of <see cref="ShardedPromqlPrometheus"/> against the one Prometheus holding all of the history.</summary>
public sealed class TopologyTests(ShardedPromqlPrometheus fleet, ITestOutputHelper output) : IClassFixture<ShardedPromqlPrometheus>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_replica_answers_queries_and_carries_its_shard_and_replica_labels()
    {
        output.WriteLine($"2 x 2 topology split, backfilled and started in {fleet.TopologyStartTime.TotalSeconds:F1} s (beside the reference's start)");
        Assert.Equal(ShardedPromqlPrometheus.ShardCount, fleet.Topology.Shards.Count);
        Assert.Equal(ShardedPromqlPrometheus.ShardCount * ShardedPromqlPrometheus.ReplicaCount, fleet.Topology.Replicas.Count);
        Assert.Equal(fleet.Topology.Replicas.Count, fleet.Topology.Replicas.Select(r => r.Port).Distinct().Count());
        var atOneHour = PromqlHistory.Start.AddHours(1);
        foreach (var shard in fleet.Topology.Shards)
        {
            foreach (var replica in shard.Replicas)
            {
                Assert.Equal(fleet.Topology.BaseUris[shard.Index][replica.Index], replica.BaseUri);
                Assert.True(replica.IsRunning);

                // Every series of the history reports within the lookback at the first hour.
                var count = await TestSupport.QueryScalarAsync(replica.BaseUri, "count({__name__=~\".+\"})", atOneHour);
                Assert.Equal(shard.HistorySeries.ToString(CultureInfo.InvariantCulture), count);

                using var config = await TestSupport.GetJsonAsync(new Uri(replica.BaseUri, "api/v1/status/config"));
                var yaml = config.RootElement.GetProperty("data").GetProperty("yaml").GetString()!;
                Assert.Matches(new Regex($"\\n\\s+shard: \"?{shard.Index}\"?\\n"), yaml);
                Assert.Matches(new Regex($"\\n\\s+replica: \"?{replica.Index}\"?\\n"), yaml);

                // Prometheus adds external labels to what leaves the server: remote read carries them on every series.
                var series = await ShardReads.AllSeriesAsync(fleet.Http, replica.BaseUri);
                Assert.NotEmpty(series);
                Assert.All(series, s => Assert.Equal(shard.Index.ToString(CultureInfo.InvariantCulture), s.Labels.Get(PrometheusTopology.ShardLabel)));
                Assert.All(series, s => Assert.Equal(replica.Index.ToString(CultureInfo.InvariantCulture), s.Labels.Get(PrometheusTopology.ReplicaLabel)));
            }
        }
    }

    [Fact]
    public async Task The_shards_partition_the_reference_series_by_hashmod_and_twins_hold_the_same_samples()
    {
        var reference = ShardReads.ByLabels(await ShardReads.AllSeriesAsync(fleet.Http, fleet.Reference.Server.BaseUri));
        Assert.Equal(fleet.HistorySeries, reference.Count);
        var union = new Dictionary<string, FloatPoint[]>(StringComparer.Ordinal);
        foreach (var shard in fleet.Topology.Shards)
        {
            var series = await ShardReads.AllSeriesAsync(fleet.Http, shard.Replicas[0].BaseUri);
            var twin = ShardReads.ByLabels(await ShardReads.AllSeriesAsync(fleet.Http, shard.Replicas[1].BaseUri));
            Assert.NotEmpty(series);
            Assert.Equal(shard.HistorySeries, series.Count);
            Assert.Equal(shard.HistorySamples, series.Sum(s => (long)s.Points.Length));
            foreach (var s in series)
            {
                var expectedShard = Hashmod.Of(ShardedPromqlPrometheus.ShardBy.Select(s.Labels.Get), ShardedPromqlPrometheus.ShardCount);
                Assert.True(expectedShard == shard.Index, $"{s.Labels} is in shard {shard.Index}, hashmod says {expectedShard}");
            }
            var own = ShardReads.ByLabels(series);
            Assert.Equal(own.Keys.Order(StringComparer.Ordinal), twin.Keys.Order(StringComparer.Ordinal));
            Assert.All(own, s => Assert.Equal(s.Value, twin[s.Key]));
            foreach (var (labels, points) in own)
                Assert.True(union.TryAdd(labels, points), $"{labels} is in more than one shard");
        }

        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), union.Keys.Order(StringComparer.Ordinal));
        Assert.All(reference, s => Assert.Equal(s.Value, union[s.Key]));
    }

    [Fact]
    public async Task A_killed_replica_restarts_on_its_port_with_its_data()
    {
        var replica = fleet.Topology.Replica(1, 0);
        var before = ShardReads.ByLabels(await ShardReads.AllSeriesAsync(fleet.Http, replica.BaseUri));
        var (uri, pid) = (replica.BaseUri, replica.ProcessId!.Value);
        try
        {
            await replica.KillAsync().WaitAsync(Bound);

            Assert.False(replica.IsRunning);
            Assert.Null(replica.ProcessId);
            Assert.False(TestSupport.ProcessExists(pid), $"process {pid} still exists after SIGKILL");
            await Assert.ThrowsAsync<HttpRequestException>(() => TestSupport.Http.GetAsync(new Uri(uri, "-/ready")));
            Assert.True(fleet.Topology.Replica(1, 1).IsRunning, "the twin went down with the killed replica");
            await Assert.ThrowsAsync<InvalidOperationException>(() => replica.KillAsync());

            await replica.StartAsync().WaitAsync(Bound);

            Assert.Equal(uri, replica.BaseUri);
            Assert.NotEqual(pid, replica.ProcessId);
            var after = ShardReads.ByLabels(await ShardReads.AllSeriesAsync(fleet.Http, replica.BaseUri));
            Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
            Assert.All(before, s => Assert.Equal(s.Value, after[s.Key]));
            await Assert.ThrowsAsync<InvalidOperationException>(() => replica.StartAsync());
        }
        finally
        {
            await fleet.Topology.Shards[1].StartAsync().WaitAsync(Bound);
        }
    }

    [Fact]
    public async Task A_stopped_shard_starts_again_on_its_ports_with_its_data()
    {
        var shard = fleet.Topology.Shards[0];
        var uris = shard.Replicas.Select(r => r.BaseUri).ToArray();
        try
        {
            await shard.StopAsync().WaitAsync(Bound);

            Assert.All(shard.Replicas, r => Assert.False(r.IsRunning));
            foreach (var uri in uris)
                await Assert.ThrowsAsync<HttpRequestException>(() => TestSupport.Http.GetAsync(new Uri(uri, "-/ready")));
            Assert.All(fleet.Topology.Shards[1].Replicas, r => Assert.True(r.IsRunning, $"{r} went down with shard 0"));

            await shard.StartAsync().WaitAsync(Bound);

            Assert.Equal(uris, shard.Replicas.Select(r => r.BaseUri));
            foreach (var replica in shard.Replicas)
            {
                var series = await ShardReads.AllSeriesAsync(fleet.Http, replica.BaseUri);
                Assert.Equal(shard.HistorySeries, series.Count);
                Assert.Equal(shard.HistorySamples, series.Sum(s => (long)s.Points.Length));
            }
        }
        finally
        {
            await shard.StartAsync().WaitAsync(Bound);
        }
    }
}

/// <summary>A replica that lost part of its history (<see cref="LossyShardedPromqlPrometheus"/>) against its twin.</summary>
public sealed class LossyTopologyTests(LossyShardedPromqlPrometheus fleet) : IClassFixture<LossyShardedPromqlPrometheus>
{
    [Fact]
    public async Task A_replica_that_lost_samples_holds_a_subset_of_its_twin_minus_the_fraction()
    {
        var loss = LossyShardedPromqlPrometheus.Loss;
        var lossyReplica = fleet.Topology.Replica(loss.Shard, loss.Replica);
        var twinReplica = fleet.Topology.Replica(loss.Shard, 1 - loss.Replica);
        var lossy = ShardReads.ByLabels(await ShardReads.AllSeriesAsync(fleet.Http, lossyReplica.BaseUri));
        var twin = ShardReads.ByLabels(await ShardReads.AllSeriesAsync(fleet.Http, twinReplica.BaseUri));

        var lossySamples = lossy.Values.Sum(p => (long)p.Length);
        var twinSamples = twin.Values.Sum(p => (long)p.Length);
        Assert.Equal(lossyReplica.HistorySamples, lossySamples);
        Assert.Equal(twinReplica.HistorySamples, twinSamples);
        Assert.Equal(fleet.Topology.Shards[loss.Shard].HistorySamples, twinSamples);
        Assert.Equal(twin.Keys.Order(StringComparer.Ordinal), lossy.Keys.Order(StringComparer.Ordinal));
        foreach (var (labels, points) in lossy)
        {
            var all = twin[labels].ToHashSet();
            Assert.True(points.All(all.Contains), $"{labels} of the lossy replica holds samples its twin lacks");
            Assert.True(points.Length < all.Count, $"{labels} lost no sample");
        }
        // About 32,000 samples, each kept with probability 0.8: the kept share's standard deviation is 0.2 %.
        Assert.InRange((double)lossySamples / twinSamples, 1 - loss.Fraction - 0.015, 1 - loss.Fraction + 0.015);

        // The other shard is whole on both replicas.
        var other = fleet.Topology.Shards[1 - loss.Shard];
        Assert.All(other.Replicas, r => Assert.Equal(other.HistorySamples, r.HistorySamples));
    }
}

/// <summary>Recording rules recorded over each shard's own history before the start (<see cref="PrometheusTopologyOptions.HistoryRules"/>).</summary>
public sealed class RecordedHistoryTopologyTests
{
    private const string Recorded = "job_instance:http_requests:rate5m";

    [Fact]
    public async Task Each_shard_records_over_its_own_series_only_and_every_replica_holds_the_recording()
    {
        using var directory = TempDirectory.Create("topology-recorded");
        var history = directory.Combine("history.om");
        await File.WriteAllTextAsync(history, PromqlHistory.OpenMetrics());
        var rules = directory.Combine("rules.yml");
        await File.WriteAllTextAsync(rules, $"""
            groups:
              - name: recorded
                interval: 1m
                rules:
                  - record: {Recorded}
                    expr: sum by (job, instance) (rate(http_requests_total[5m]))
            """);
        await using var topology = await PrometheusTopology.StartAsync(new PrometheusTopologyOptions
        {
            HistoryFile = history,
            HistoryShardBy = ShardedPromqlPrometheus.ShardBy,
            HistoryRules = new HistoryRules([rules], PromqlHistory.Start, PromqlHistory.End),
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        var recordedOn = new Dictionary<string, int>(StringComparer.Ordinal);
        var rawOn = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var shard in topology.Shards)
        {
            Dictionary<string, FloatPoint[]>? twin = null;
            foreach (var replica in shard.Replicas)
            {
                var series = await ShardReads.AllSeriesAsync(http, replica.BaseUri);
                var recorded = series.Where(s => s.Labels.Name == Recorded).ToList();
                Assert.NotEmpty(recorded);
                Assert.Equal(replica.RecordedHistory?.Samples, recorded.Sum(s => (long)s.Points.Length));
                // A recorded series belongs where the hashmod of its job and instance puts its raw series.
                Assert.All(recorded, s => Assert.Equal(shard.Index, Hashmod.Of([s.Labels.Get("job"), s.Labels.Get("instance")], topology.Shards.Count)));
                var byLabels = ShardReads.ByLabels(recorded);
                if (twin is null)
                    twin = byLabels;
                else
                    Assert.Equal(twin.ToDictionary(p => p.Key, p => p.Value.Length), byLabels.ToDictionary(p => p.Key, p => p.Value.Length));
                foreach (var s in recorded)
                    recordedOn[Target(s.Labels)] = shard.Index;
                foreach (var s in series.Where(s => s.Labels.Name == "http_requests_total"))
                    rawOn[Target(s.Labels)] = shard.Index;
            }
        }
        // Every target was recorded, each on the one shard holding its raw series.
        Assert.Equal(rawOn.OrderBy(p => p.Key, StringComparer.Ordinal), recordedOn.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(topology.Shards.Count, recordedOn.Values.Distinct().Count());
    }

    private static string Target(Labels labels) => labels.Get("job") + ";" + labels.Get("instance");
}

/// <summary>Live targets split across shards by Prometheus' own hashmod relabeling.</summary>
public sealed class LiveShardingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Targets_are_split_by_prometheus_hashmod_as_hashmod_says_and_a_killed_replica_replays_its_wal()
    {
        // Ports that were free a moment ago: every scrape fails at once, and Prometheus still records up{instance} = 0.
        var targets = Enumerable.Range(0, 12).Select(_ => $"127.0.0.1:{FreePort.Next()}").ToArray();
        var started = TimeProvider.System.GetTimestamp();
        await using var topology = await PrometheusTopology.StartAsync(new PrometheusTopologyOptions
        {
            Shards = 2,
            Replicas = 1,
            Prometheus = new PrometheusOptions { ScrapeSelf = false, ScrapeInterval = "1s" },
            Scrape = new ShardedScrape { JobName = "live", Targets = targets },
        });
        output.WriteLine($"2 x 1 topology without history started in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s");

        var expected = targets.ToLookup(t => Hashmod.Of(t, 2));
        Assert.True(expected[0].Any() && expected[1].Any(), "the targets' hashmod put them all in one shard; the test would prove nothing");
        foreach (var shard in topology.Shards)
        {
            var uri = shard.Replicas[0].BaseUri;
            var want = expected[shard.Index].Order(StringComparer.Ordinal).ToArray();
            await TestSupport.EventuallyAsync(
                async () => await UpInstancesAsync(uri) is { } seen && seen.SequenceEqual(want),
                TimeSpan.FromSeconds(30),
                $"{shard} scrapes exactly its targets {string.Join(", ", want)}");
        }

        // Samples from the head survive a SIGKILL: the restarted replica replays its WAL.
        var replica = topology.Replica(0, 0);
        // A time a few seconds back, once the head holds two scrapes of every target before it: a scrape that began
        // before that time has been committed, so the count at that time no longer changes.
        var at = DateTimeOffset.MinValue;
        string? before = null;
        var twoScrapes = 2 * expected[0].Count();
        await TestSupport.EventuallyAsync(
            async () =>
            {
                at = TimeProvider.System.GetUtcNow().AddSeconds(-3);
                before = await TestSupport.QueryScalarAsync(replica.BaseUri, "sum(count_over_time(up[1m]))", at);
                return before is not null && double.Parse(before, CultureInfo.InvariantCulture) >= twoScrapes;
            },
            TimeSpan.FromSeconds(30),
            $"the head holds {twoScrapes} samples of up");
        await replica.KillAsync();
        await replica.StartAsync();
        var after = await TestSupport.QueryScalarAsync(replica.BaseUri, "sum(count_over_time(up[1m]))", at);
        Assert.Equal(before, after);
    }

    private static async Task<string[]?> UpInstancesAsync(Uri prometheus)
    {
        try
        {
            using var json = await TestSupport.GetJsonAsync(new Uri(prometheus, "api/v1/query?query=" + Uri.EscapeDataString("up{job=\"live\"}")));
            return [.. json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(r => r.GetProperty("metric").GetProperty("instance").GetString()!).Order(StringComparer.Ordinal)];
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}

/// <summary>Options the topology refuses before it starts anything.</summary>
public sealed class TopologyOptionsTests
{
    public static TheoryData<string, PrometheusTopologyOptions> Invalid => new()
    {
        { "must be at least 1", new PrometheusTopologyOptions { Shards = 0 } },
        { "chooses each replica's data directory and port", new PrometheusTopologyOptions { Prometheus = new PrometheusOptions { Port = 9090 } } },
        { "sets the shard and replica external labels", new PrometheusTopologyOptions { Prometheus = new PrometheusOptions { ExternalLabels = new Dictionary<string, string> { ["shard"] = "x" } } } },
        { "there is no HistoryFile", new PrometheusTopologyOptions { SampleLoss = [new ReplicaSampleLoss(0, 0, 0.1)] } },
        { "names a replica outside 2 shards × 2 replicas", new PrometheusTopologyOptions { HistoryFile = "/etc/hostname", SampleLoss = [new ReplicaSampleLoss(0, 2, 0.1)] } },
        { "the fraction must be at least 0 and below 1", new PrometheusTopologyOptions { HistoryFile = "/etc/hostname", SampleLoss = [new ReplicaSampleLoss(0, 0, 1)] } },
        { "/nonexistent/history.om does not exist", new PrometheusTopologyOptions { HistoryFile = "/nonexistent/history.om" } },
        { "Give Targets, a FileServiceDiscoveryPath or both", new PrometheusTopologyOptions { Scrape = new ShardedScrape() } },
        { "records rules over the history, and there is no HistoryFile", new PrometheusTopologyOptions { HistoryRules = new HistoryRules(["/etc/hostname"], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1)) } },
        { "Rule file /nonexistent/rules.yml does not exist", new PrometheusTopologyOptions { HistoryFile = "/etc/hostname", HistoryRules = new HistoryRules(["/nonexistent/rules.yml"], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1)) } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Are_refused_before_anything_starts(string message, PrometheusTopologyOptions options)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => PrometheusTopology.StartAsync(options));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }
}
