using System.Diagnostics;
using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.Gateway.Pushdown;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Tests;

/// <summary>
/// When a pushed query goes to a shard's next replica too (a hedge): only once every other shard has answered, and
/// the patience (or as long again as they took) later. In-process replicas and a patience of 200 ms keep the waits
/// short; the gateway over HTTP with the default 5 s is in <see cref="PushdownFailureTests"/>.
/// </summary>
public sealed class PushHedgeTests
{
    private const long End = 3_600_000;
    private static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(200);
    private static readonly PushedAggregation Pushed = Push("sum by (job) (rate(m[5m]))");

    [Fact]
    public async Task A_hung_replica_is_hedged_only_after_the_other_shards_have_answered_and_as_long_again()
    {
        var metrics = new GatewayMetrics();
        var slow = new SlowSource(Store("a"), TimeSpan.FromSeconds(1));
        var hung = new SlowSource(Store("b"), Timeout.InfiniteTimeSpan);
        var twin = new SlowSource(Store("b"), TimeSpan.Zero);
        var round = new PushRound(2);
        var watch = Stopwatch.StartNew();

        var a = PushAsync(Shard("a", metrics, slow), round, CancellationToken.None);
        var b = await PushAsync(Shard("b", metrics, hung, twin), round, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var elapsed = watch.Elapsed;
        await a;

        // Shard a took 1 s, longer than the patience: b's hedge is due 1 s after that, not 200 ms after the start.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(1900), $"hedged after {elapsed}");
        Assert.Equal(await ExpectedAsync("b"), Values(b));
        Assert.Equal(1, twin.Started);
        await WaitForAsync(() => hung.Cancelled == 1, "the hung replica's request was not cancelled");
        Assert.Contains("headroom_gateway_pushdown_hedges_total{shard=\"b\"} 1", await MetricsAsync(metrics), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_shard_is_hedged_after_the_patience_from_the_start()
    {
        var hung = new SlowSource(Store("b"), Timeout.InfiniteTimeSpan);
        var twin = new SlowSource(Store("b"), TimeSpan.Zero);
        var watch = Stopwatch.StartNew();

        var b = await PushAsync(Shard("b", null, hung, twin), new PushRound(1), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.InRange(watch.Elapsed, Patience, TimeSpan.FromSeconds(10));
        Assert.Equal(await ExpectedAsync("b"), Values(b));
        await WaitForAsync(() => hung.Cancelled == 1, "the hung replica's request was not cancelled");
    }

    [Fact]
    public async Task A_shard_whose_only_replica_hangs_keeps_waiting()
    {
        var metrics = new GatewayMetrics();
        var hung = new SlowSource(Store("b"), Timeout.InfiniteTimeSpan);
        var round = new PushRound(2);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        await PushAsync(Shard("a", metrics, Store("a")), round, CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PushAsync(Shard("b", metrics, hung), round, giveUp.Token));

        Assert.Equal(1, hung.Started);
        Assert.DoesNotContain("headroom_gateway_pushdown_hedges_total{", await MetricsAsync(metrics), StringComparison.Ordinal);
    }

    private static Task<List<Series>> PushAsync(ShardSource shard, PushRound round, CancellationToken cancellationToken) =>
        shard.PushAsync(Pushed, End - 1_800_000, End, 60_000, WindowLeftEdge.Excluded, new SourceWarnings(), round, cancellationToken);

    private static ShardSource Shard(string name, GatewayMetrics? metrics, params ISeriesSource[] replicas) =>
        new(name, replicas, GatewayConfig.DefaultReplicaLabels, Labels.Empty, metrics, replicaPatience: Patience);

    /// <summary>Counters of two jobs whose rates depend on the shard, so shards' answers differ.</summary>
    private static InMemoryStorage Store(string shard)
    {
        var store = new InMemoryStorage();
        foreach (var (job, rate) in new[] { ("api", 2.0), ("web", 3.5) })
        {
            var labels = Labels.Of("__name__", "m", "job", job, "instance", shard);
            var perSecond = shard == "a" ? rate : rate * 1.7;
            for (var t = 0L; t <= End; t += 15_000)
            {
                store.Append(labels, t, perSecond * t / 1000.0);
            }
        }
        return store;
    }

    private static async Task<List<string>> ExpectedAsync(string shard) =>
        Values(await PushAsync(Shard(shard, null, Store(shard)), new PushRound(1), CancellationToken.None));

    private static List<string> Values(List<Series> answer) =>
        [.. answer.OrderBy(s => s.Labels.ToString(), StringComparer.Ordinal).Select(s => $"{s.Labels} {string.Join(',', s.Points.Select(p => $"{p.T}={p.F:R}"))}")];

    private static PushedAggregation Push(string text)
    {
        var aggregate = (AggregateExpr)Parser.Parse(text);
        var selector = PushdownRules.Pushable(aggregate, GatewayConfig.DefaultReplicaLabels, out var reason) ?? throw new InvalidOperationException(reason);
        return new PushedAggregation(aggregate, selector, []);
    }

    private static async Task<string> MetricsAsync(GatewayMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    private static async Task WaitForAsync(Func<bool> condition, string failure)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition(), failure);
    }
}
