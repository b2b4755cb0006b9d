using Headroom.Gateway.Configuration;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;
using Headroom.Sharding;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Sharding.Tests;

/// <summary>The autoscaler's decisions on a fake clock: when it re-plans, how long a handover lasts, when a shard retires and goes.</summary>
public sealed class AutoscalerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-autoscaler-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero));
    private readonly RecordingRuntime _runtime = new();
    private readonly Dictionary<string, long> _series = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private AutoscalerOptions Options => new()
    {
        TargetsFile = Path.Combine(_directory, "fleet-sd.json"),
        Directory = Path.Combine(_directory, "shards"),
        ScrapeInterval = TimeSpan.FromSeconds(15),
        LookbackDelta = TimeSpan.FromMinutes(5),
        FileSdRefresh = TimeSpan.FromSeconds(5),
        BudgetSeries = 100,
        MinShards = 1,
        MaxShards = 4,
        Retention = TimeSpan.FromHours(2),
    };

    private async Task FleetAsync(int hosts, long seriesEach)
    {
        _series.Clear();
        var groups = Enumerable.Range(1, hosts).Select(i => new FileSdTargetGroup(["10.0.0.1:9100"],
            new Dictionary<string, string> { ["instance"] = $"host-{i}" })).ToList();
        foreach (var group in groups)
            _series[group.Labels["instance"]] = seriesEach;
        await FileSdTargetGroup.WriteFileAsync(Options.TargetsFile, groups);
    }

    private Autoscaler Create() => new(Options, _runtime, _http, _time, null, null,
        _ => Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>(_series)));

    private IReadOnlyList<string> FileOf(string shard) =>
        [.. FileSdTargetGroup.Parse(File.ReadAllText(Path.Combine(Options.Directory, shard + ".json"))).Select(g => g.Labels["instance"])];

    [Fact]
    public async Task Moved_targets_are_scraped_by_both_shards_for_the_overlap_and_emptied_shards_retire_then_go()
    {
        await FleetAsync(4, 20);
        var autoscaler = Create();
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(["shard-0", "shard-1"], autoscaler.Scraping.Select(s => s.Name));

        // Each target triples: 2 shards would hold 120 series each, over 90% of the budget of 100.
        await FleetAsync(4, 60);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(["shard-0", "shard-1", "shard-2", "shard-3"], autoscaler.Scraping.Select(s => s.Name));
        var moved = autoscaler.Owners.Where(o => o.Value is "shard-2" or "shard-3").Select(o => o.Key).ToList();
        Assert.Equal(2, moved.Count);
        Assert.Equal(2, autoscaler.HandoversInProgress);
        foreach (var target in moved)
        {
            Assert.Contains(target, FileOf(autoscaler.Owners[target]));
            Assert.Equal(2, new[] { "shard-0", "shard-1", "shard-2", "shard-3" }.Count(s => FileOf(s).Contains(target)));
        }

        // Overlap = file_sd refresh 5 s + 2 scrape intervals 30 s + lookback 5 m = 335 s.
        Assert.Equal(TimeSpan.FromSeconds(335), Options.Overlap);
        _time.Advance(TimeSpan.FromSeconds(334));
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(2, autoscaler.HandoversInProgress);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(0, autoscaler.HandoversInProgress);
        foreach (var target in moved)
            Assert.Equal(1, new[] { "shard-0", "shard-1", "shard-2", "shard-3" }.Count(s => FileOf(s).Contains(target)));

        // Back to 20 series each: every shard is under 40% of the budget, so 2 shards go, the newest first.
        await FleetAsync(4, 20);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(["shard-0", "shard-1"], autoscaler.Scraping.Select(s => s.Name));
        Assert.Equal(2, autoscaler.HandoversInProgress);
        Assert.All(autoscaler.Shards, s => Assert.Null(s.RetiredAt));
        _time.Advance(Options.Overlap);
        Assert.True(await autoscaler.ReconcileAsync());
        var retired = autoscaler.Shards.Where(s => s.RetiredAt is not null).ToList();
        Assert.Equal(["shard-2", "shard-3"], retired.Select(s => s.Name));
        Assert.All(retired, s => Assert.Empty(FileOf(s.Name)));
        Assert.All(retired, s => Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(20), s.RetiredAt));

        // The gateway reads them for earlier times until their retention passes.
        var topology = TopologyFileReader.ReadFile(Options.TopologyFile);
        Assert.Equal(4, topology.Count);
        Assert.Equal(retired[0].RetiredAt!.Value.ToUnixTimeMilliseconds(), topology[2].RetiredAt!.Value.ToUnixTimeMilliseconds());
        _time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(30));
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(["shard-2", "shard-3"], _runtime.Stopped);
        Assert.Equal(["shard-0", "shard-1"], TopologyFileReader.ReadFile(Options.TopologyFile).Select(s => s.Name));

        // A new shard gets a new name: shard-2's data may still be read elsewhere.
        await FleetAsync(4, 60);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(["shard-0", "shard-1", "shard-4", "shard-5"], autoscaler.Scraping.Select(s => s.Name));
    }

    [Fact]
    public async Task Drift_between_the_watermarks_moves_nothing_and_new_targets_go_to_the_emptiest_shard()
    {
        await FleetAsync(4, 30);
        var autoscaler = Create();
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(2, autoscaler.Scraping.Count);
        var owners = autoscaler.Owners;

        // 60 and 70 series per shard: between 40 and 90, no re-plan.
        _series["host-1"] = 40;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(owners, autoscaler.Owners);
        Assert.Equal(0, autoscaler.HandoversInProgress);

        await FleetAsync(5, 30);
        _series["host-1"] = 40;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await autoscaler.ReconcileAsync());
        Assert.Equal(0, autoscaler.HandoversInProgress);
        Assert.NotEqual(owners["host-1"], autoscaler.Owners["host-5"]);
    }

    [Fact]
    public async Task A_failed_reconcile_is_counted_and_the_next_one_recovers()
    {
        var autoscaler = Create();
        Assert.False(await autoscaler.ReconcileAsync());
        await FleetAsync(2, 10);
        Assert.True(await autoscaler.ReconcileAsync());
        using var buffer = new MemoryStream();
        await autoscaler.Metrics.Registry.CollectAndExportAsTextAsync(buffer);
        var text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        Assert.True(text.Contains("headroom_autoscaler_shards 1", StringComparison.Ordinal), text);
        Assert.Contains("headroom_autoscaler_reconciles_total 2", text, StringComparison.Ordinal);
        Assert.Contains("headroom_autoscaler_reconcile_failures_total 1", text, StringComparison.Ordinal);
        Assert.Contains("headroom_autoscaler_shards 1", text, StringComparison.Ordinal);
        Assert.Contains("headroom_autoscaler_shard_head_series{shard=\"shard-0\"} 20", text, StringComparison.Ordinal);
    }

    private sealed class RecordingRuntime : IShardRuntime
    {
        private int _port = 9100;

        public List<string> Stopped { get; } = [];

        public Task<IReadOnlyList<Uri>> StartAsync(string shard, string fileSdPath, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Uri>>([new Uri($"http://127.0.0.1:{Interlocked.Increment(ref _port)}/")]);

        public Task StopAsync(string shard, CancellationToken cancellationToken)
        {
            Stopped.Add(shard);
            return Task.CompletedTask;
        }

        public Task ReconciledAsync(IReadOnlyList<ShardState> shards, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
