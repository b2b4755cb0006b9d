using System.Diagnostics;
using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.Gateway.Pushdown;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Gateway.Tests;

/// <summary>
/// When a pushed query goes to a shard's next replica too (a hedge): only once at least half of the other shards have
/// answered, and the patience (or as long again as they took) after the last of them. In-process replicas and a
/// patience of 200 ms, or a fake clock, keep the waits short; the gateway over HTTP with the default 5 s is in
/// <see cref="PushdownFailureTests"/>, the rule's every instant in <see cref="PushRoundTests"/>.
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

    /// <summary>
    /// The first replicas of shards c and d hang at once. Each sees a and b (half of its other three) answer, so both
    /// are hedged the patience later and the query has every shard's right answer then, not at the backend timeout.
    /// </summary>
    [Fact]
    public async Task Two_shards_of_four_hung_at_once_are_both_hedged_the_patience_after_the_others_answered()
    {
        var metrics = new GatewayMetrics();
        var time = new FakeTimeProvider();
        var round = new PushRound(4, time);
        var spares = new Dictionary<string, SlowSource>();
        var hung = new Dictionary<string, SlowSource>();
        var shards = new Dictionary<string, Task<List<Series>>>();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            hung[name] = new SlowSource(Store(name), name is "c" or "d" ? Timeout.InfiniteTimeSpan : TimeSpan.Zero, time);
            spares[name] = new SlowSource(Store(name), TimeSpan.Zero, time);
            shards[name] = PushAsync(Shard(name, metrics, hung[name], spares[name]), round, CancellationToken.None);
        }

        await Task.WhenAll(shards["a"], shards["b"]).WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(Patience - TimeSpan.FromMilliseconds(1));
        await Task.Delay(100);
        Assert.False(shards["c"].IsCompleted || shards["d"].IsCompleted, "hedged before the patience");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(shards["c"], shards["d"]).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Patience, round.Elapsed);
        foreach (var (name, answer) in shards)
        {
            Assert.Equal(await ExpectedAsync(name), Values(await answer));
            Assert.Equal(name is "c" or "d" ? 1 : 0, spares[name].Started);
        }
        await WaitForAsync(() => hung["c"].Cancelled == 1 && hung["d"].Cancelled == 1, "the hung replicas' requests were not cancelled");
        var exposed = await MetricsAsync(metrics);
        Assert.Contains("headroom_gateway_pushdown_hedges_total{shard=\"c\"} 1", exposed, StringComparison.Ordinal);
        Assert.Contains("headroom_gateway_pushdown_hedges_total{shard=\"d\"} 1", exposed, StringComparison.Ordinal);
        Assert.DoesNotContain("headroom_gateway_pushdown_hedges_total{shard=\"a\"}", exposed, StringComparison.Ordinal);
        Assert.DoesNotContain("headroom_gateway_pushdown_hedges_total{shard=\"b\"}", exposed, StringComparison.Ordinal);
    }

    /// <summary>
    /// Under load every shard is slow: 8, 9, 10 and 16 s. The slowest lags the others by more than the patience, but
    /// takes less than twice as long as they did, so no shard's query is sent twice.
    /// </summary>
    [Fact]
    public async Task A_query_slow_on_every_shard_alike_is_not_hedged()
    {
        var metrics = new GatewayMetrics();
        var time = new FakeTimeProvider();
        var round = new PushRound(4, time);
        var took = new Dictionary<string, TimeSpan>
        {
            ["a"] = TimeSpan.FromSeconds(8), ["b"] = TimeSpan.FromSeconds(9), ["c"] = TimeSpan.FromSeconds(10), ["d"] = TimeSpan.FromSeconds(16),
        };
        var slow = took.ToDictionary(t => t.Key, t => new SlowSource(Store(t.Key), t.Value, time));
        var spares = took.ToDictionary(t => t.Key, t => new SlowSource(Store(t.Key), TimeSpan.Zero, time));
        var shards = took.Keys.ToDictionary(name => name, name => PushAsync(Shard(name, metrics, slow[name], spares[name]), round, CancellationToken.None));
        await WaitForAsync(() => slow.Values.All(s => s.Started == 1), "the first replicas were not asked");

        // The clock moves half a second at a time, so a hedge due before the slowest shard answers would be sent.
        while (round.Elapsed < took["d"])
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(20);
            foreach (var name in took.Keys.Where(name => took[name] == round.Elapsed))
            {
                await shards[name].WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        foreach (var (name, answer) in shards)
        {
            Assert.Equal(await ExpectedAsync(name), Values(await answer));
            Assert.Equal(0, spares[name].Started);
        }
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
            var perSecond = rate * (1 + 0.7 * (shard[0] - 'a'));
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
