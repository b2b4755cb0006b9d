using System.Globalization;
using System.Net;
using Headroom.Demo;
using Headroom.Fleet;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;
using Headroom.Sharding;
using Xunit.Abstractions;

namespace Headroom.IntegrationTests;

/// <summary>
/// The autoscaler over real Prometheus shards and a live simulated fleet, read through the gateway: the fleet grows
/// from N to 4N targets and back; the shards go from 2 to 4 and back to 2, moved targets handed over with an overlap;
/// range queries through the gateway show every host with no gap, no host counted twice, and counters whose increase
/// matches the fleet's own values.
/// </summary>
public sealed class AutoscalerTests(ITestOutputHelper output) : IDisposable
{
    private const int N = 8;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-autoscale-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // In 1 of 5 full runs this test once found a counter stepping back where the gateway switched shards during a
    // handover (the old shard's scrape read the target later than the new shard's next one): ShardOverlap now passes
    // over such earlier reads at a switch, and the assertions below on the raw counter samples hold it to that.
    // In 1 of 4 full runs after that fix it found count(up) 6 of 8 at the window's last step, the present: the old
    // shard's staleness marker for a moved target was kept until the new shard's next scrape. ShardOverlap now also
    // drops a marker where the other copy was scraping up to it and holds nothing after it yet.
    [Fact]
    public async Task The_fleet_grows_and_shrinks_and_the_gateway_sees_every_series_once_with_no_gap()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var fleet = SimulatedFleet.Create(4 * N, 11);
        await using var server = await FleetServer.StartAsync(fleet, new IPEndPoint(IPAddress.Loopback, 0), cancellationToken: deadline.Token);
        var groups = FleetTargets.For(fleet, server.Address);
        var targetsFile = Path.Combine(_directory, "fleet-sd.json");
        await FileSdTargetGroup.WriteFileAsync(targetsFile, groups.Take(N), deadline.Token);

        // A budget that 4N targets fill to three quarters of 4 shards: N fit 2 shards, 4N overflow them.
        var total = fleet.Hosts.Sum(h => (long)h.SeriesCount + UsageReader.SeriesAddedPerTarget);
        var options = new AutoscalerOptions
        {
            TargetsFile = targetsFile,
            Directory = Path.Combine(_directory, "shards"),
            ScrapeInterval = TimeSpan.FromSeconds(1),
            LookbackDelta = TimeSpan.FromSeconds(3),
            FileSdRefresh = TimeSpan.FromSeconds(1),
            ReconcileInterval = TimeSpan.FromSeconds(1),
            BudgetSeries = total / 3,
            DefaultTargetSeries = total / (4 * N),
            MinShards = 2,
            MaxShards = 4,
            Retention = TimeSpan.FromHours(1),
        };
        await using var runtime = new LocalShardRuntime(options);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var autoscaler = new Autoscaler(options, runtime, http);
        Assert.True(await autoscaler.ReconcileAsync(deadline.Token));
        Assert.Equal(2, autoscaler.Scraping.Count);

        await using var gateway = await GatewayServer.StartAsync(GatewayConfigReader.ForTopology(options.TopologyFile),
            new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)), cancellationToken: deadline.Token);
        var client = new PrometheusClient(http, gateway.BaseUri);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var loop = autoscaler.RunAsync(null, stop.Token);
        var owners = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var shardCounts = new List<int>();

        async Task WaitAsync(string what, Func<Task<bool>> done)
        {
            for (var i = 0; i < 90; i++)
            {
                foreach (var (target, owner) in autoscaler.Owners)
                    (owners.TryGetValue(target, out var set) ? set : owners[target] = []).Add(owner);
                shardCounts.Add(autoscaler.Scraping.Count);
                if (await done())
                    return;
                await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token);
            }
            Assert.Fail($"gave up waiting until {what}; shards {string.Join(",", autoscaler.Shards.Select(s => s.Name))}, handovers {autoscaler.HandoversInProgress}");
        }

        async Task<double> UpCountAsync() =>
            (await client.QueryAsync("count(up{job=\"fleet\"})", cancellationToken: deadline.Token)).Series is [var counted, ..] ? counted.Samples[0].Value : 0;

        await WaitAsync("the first N targets are up", async () => await UpCountAsync() == N);
        var start = Now().AddSeconds(1);
        await Task.Delay(TimeSpan.FromSeconds(3), deadline.Token);

        var grown = Now();
        await FileSdTargetGroup.WriteFileAsync(targetsFile, groups, deadline.Token);
        await WaitAsync("4 shards hold 4N targets with no handover left", async () =>
            autoscaler.Scraping.Count == 4 && autoscaler.HandoversInProgress == 0 && await UpCountAsync() == 4 * N);
        await Task.Delay(TimeSpan.FromSeconds(3), deadline.Token);

        var shrunk = Now();
        await FileSdTargetGroup.WriteFileAsync(targetsFile, groups.Take(N), deadline.Token);
        await WaitAsync("2 shards hold N targets, the other 2 retired", async () =>
            autoscaler.Scraping.Count == 2 && autoscaler.HandoversInProgress == 0 && autoscaler.Shards.Count(s => s.RetiredAt < Now()) == 2
            && await UpCountAsync() == N);
        await Task.Delay(TimeSpan.FromSeconds(3), deadline.Token);
        var end = Now();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);

        output.WriteLine($"start {start:HH:mm:ss}, grown {grown:HH:mm:ss}, shrunk {shrunk:HH:mm:ss}, end {end:HH:mm:ss}; shards over time {string.Join(" ", shardCounts.Distinct())}");
        Assert.Equal([2, 4, 2], Collapse(shardCounts));
        Assert.Equal(4, gateway.Current.Config.Shards.Count);
        var moved = owners.Where(o => o.Value.Count > 1 && fleet.ById[o.Key].Id.CompareTo(fleet.Hosts[N].Id) < 0).Select(o => o.Key).ToList();
        output.WriteLine($"hosts live throughout that changed shard: {string.Join(", ", moved)}");
        Assert.NotEmpty(moved);

        // No double count: at every step the count is the live targets (between the two counts while a change settles).
        var settle = TimeSpan.FromSeconds(12);
        var counts = await client.QueryRangeAsync("count(up{job=\"fleet\"})", start, end, Step, deadline.Token);
        var series = Assert.Single(counts.Series);
        Assert.True(series.Samples.Count >= (end - start).TotalSeconds - 1, $"{series.Samples.Count} steps answered of {(end - start).TotalSeconds:F0}");
        foreach (var sample in series.Samples)
        {
            var t = DateTimeOffset.FromUnixTimeMilliseconds(sample.TimestampMs);
            var (low, high) = t < grown ? (N, N)
                : t < grown + settle ? (N, 4 * N)
                : t < shrunk ? (4 * N, 4 * N)
                : t < shrunk + settle ? (N, 4 * N)
                : (N, N);
            Assert.True(sample.Value >= low && sample.Value <= high, $"count(up) = {sample.Value} at {t:HH:mm:ss.fff}, expected {low}..{high}");
        }

        // No gap: every host live throughout has its up series at every step. A value of 0 is a scrape that failed, not
        // a gap: on a loaded 2-core machine a 1 s scrape of the fleet can time out (2 of 16 runs at load average 30 had
        // two in a row for one host). Each one the gateway shows must be a failed scrape a shard recorded (a 0 sample
        // of that host within the lookback before the step), never one the merge made up; a handover that lost
        // scrapes shows as missing steps, asserted here, and as missing counter samples, asserted below.
        var up = await client.QueryRangeAsync("up{job=\"fleet\"}", start, end, Step, deadline.Token);
        var steps = (int)((end - start) / Step) + 1;
        var window = (long)Math.Ceiling((end - start).TotalSeconds);
        foreach (var host in fleet.Hosts.Take(N))
        {
            var hostSeries = Assert.Single(up.Series, s => s.Labels["instance"] == host.Id);
            Assert.True(hostSeries.Samples.Count == steps,
                $"{host.Id}: {hostSeries.Samples.Count} of {steps} steps, gaps near {string.Join(", ", Gaps(hostSeries.Samples))}");
            var failed = hostSeries.Samples.Where(s => s.Value != 1).ToList();
            if (failed.Count == 0)
                continue;
            output.WriteLine($"{host.Id}: up != 1 at {string.Join(", ", failed.Select(s => $"{s.Value} at {DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs):HH:mm:ss}"))}");
            var recorded = await FailedScrapesAsync(http, autoscaler.Shards, host.Id, window, end, deadline.Token);
            foreach (var step in failed)
                Assert.True(recorded.Any(t => t <= step.TimestampMs && step.TimestampMs - t < options.LookbackDelta.TotalMilliseconds),
                    $"{host.Id}: up = {step.Value} at {step.TimestampMs} through the gateway, but no shard recorded a failed scrape before it (recorded: {string.Join(", ", recorded)})");
        }

        // A counter's samples through the gateway: never a false reset, never a missed scrape, and the increase the fleet really made.
        var raw = await client.QueryAsync($"node_network_receive_bytes_total{{job=\"fleet\",device=\"eth0\"}}[{window}s]", end, deadline.Token);
        double increase = 0, truthLow = 0, truthHigh = 0;
        foreach (var host in fleet.Hosts.Take(N))
        {
            var samples = Assert.Single(raw.Series, s => s.Labels["instance"] == host.Id).Samples;
            for (var i = 1; i < samples.Count; i++)
            {
                Assert.True(samples[i].Value >= samples[i - 1].Value, $"{host.Id}: the counter goes back at {samples[i].TimestampMs}");
                Assert.True(samples[i].TimestampMs - samples[i - 1].TimestampMs <= 2_500, $"{host.Id}: no sample from {samples[i - 1].TimestampMs} to {samples[i].TimestampMs}");
            }
            var (first, last) = (samples[0], samples[^1]);
            increase += last.Value - first.Value;
            // A scrape reads the host a moment after its timestamp: the fleet's value lies within 2 s after it.
            truthLow += Receive(host, last.TimestampMs) - Receive(host, first.TimestampMs + 2_000);
            truthHigh += Receive(host, last.TimestampMs + 2_000) - Receive(host, first.TimestampMs);
        }
        output.WriteLine($"increase {increase:N0} B, truth between {truthLow:N0} and {truthHigh:N0}");
        Assert.InRange(increase, truthLow, truthHigh);

        var metrics = await CollectAsync(autoscaler);
        Assert.Contains("headroom_autoscaler_reconcile_failures_total 0", metrics, StringComparison.Ordinal);
        Assert.Contains("headroom_autoscaler_shards 2", metrics, StringComparison.Ordinal);
        Assert.Contains("headroom_autoscaler_handovers_in_progress 0", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("headroom_autoscaler_series_moved_total 0\n", metrics, StringComparison.Ordinal);
    }

    /// <summary>The timestamps of every failed scrape (<c>up</c> 0) of <paramref name="instance"/> that any replica of any shard holds.</summary>
    private static async Task<List<long>> FailedScrapesAsync(HttpClient http, IReadOnlyList<ShardState> shards, string instance, long windowSeconds,
        DateTimeOffset end, CancellationToken cancellationToken)
    {
        var failed = new List<long>();
        foreach (var replica in shards.SelectMany(s => s.Replicas))
        {
            var answer = await new PrometheusClient(http, replica).QueryAsync($"up{{job=\"fleet\",instance=\"{instance}\"}}[{windowSeconds}s]", end, cancellationToken);
            failed.AddRange(answer.Series.SelectMany(s => s.Samples).Where(s => s.Value == 0).Select(s => s.TimestampMs));
        }
        return failed;
    }

    private static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static List<int> Collapse(List<int> values) =>
        [.. values.Where((v, i) => i == 0 || v != values[i - 1])];

    private static IEnumerable<string> Gaps(IReadOnlyList<ResponseSample> samples) =>
        samples.Zip(samples.Skip(1)).Where(p => p.Second.TimestampMs - p.First.TimestampMs > 1000)
            .Select(p => DateTimeOffset.FromUnixTimeMilliseconds(p.First.TimestampMs).ToString("HH:mm:ss", CultureInfo.InvariantCulture));

    private static double Receive(SimulatedHost host, long timestampMs)
    {
        var line = Exposition.ToText(host, DateTimeOffset.FromUnixTimeMilliseconds(timestampMs)).Split('\n')
            .Single(l => l.StartsWith("node_network_receive_bytes_total{device=\"eth0\"}", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<string> CollectAsync(Autoscaler autoscaler)
    {
        using var buffer = new MemoryStream();
        await autoscaler.Metrics.Registry.CollectAndExportAsTextAsync(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
