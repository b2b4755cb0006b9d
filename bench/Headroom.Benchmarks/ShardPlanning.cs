using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Headroom.Fleet;
using Headroom.Prometheus.Relabeling;
using Headroom.Sharding;

namespace Headroom.Benchmarks;

/// <summary>The skewed simulated fleet (30% container hosts) as planner targets.</summary>
internal static class SkewedTargets
{
    public static IReadOnlyList<ShardTarget> Of(int hosts, long seed = 7) =>
        [.. SimulatedFleet.Create(hosts, seed, skew: 0.3).Hosts.Select(h => new ShardTarget(h.Id, h.SeriesCount + UsageReader.SeriesAddedPerTarget))];
}

/// <summary>The time one plan takes: a fresh plan and a re-plan with one more shard, at 50,000 targets.</summary>
[MemoryDiagnoser]
public class ShardPlanningBenchmarks
{
    private IReadOnlyList<ShardTarget> _targets = null!;
    private ShardPlan _previous = null!;

    [Params(50_000)]
    public int Targets { get; set; }

    [Params(100)]
    public int Shards { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _targets = SkewedTargets.Of(Targets);
        _previous = ShardPlanner.Plan(_targets, Shards);
    }

    [Benchmark]
    public double FreshPlan() => ShardPlanner.Plan(_targets, Shards).Balance;

    [Benchmark]
    public double ReplanOneMoreShard() => ShardPlanner.Plan(_targets, Shards + 1, _previous).Balance;
}

/// <summary>
/// <c>-- shard</c>: balance (max/mean series per shard) of the planner against hashmod on 1,000, 10,000 and 50,000
/// skewed targets, the series each re-plan moves (one shard more, one fewer), and the wall time of a plan.
/// </summary>
internal static class ShardPlanningMacro
{
    public static int Run()
    {
        Console.WriteLine("| targets | shards | plan max/mean | hashmod max/mean | +1 shard: series moved (ideal 1/(N+1)), max/mean after | -1 shard: series moved (removed shard held) | plan time |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (hosts, shardCounts) in new[] { (1_000, new[] { 4, 10 }), (10_000, new[] { 10, 40 }), (50_000, new[] { 40, 100 }) })
        {
            var targets = SkewedTargets.Of(hosts);
            foreach (var shards in shardCounts)
            {
                ShardPlanner.Plan(targets, shards); // warm-up
                var watch = Stopwatch.StartNew();
                var plan = ShardPlanner.Plan(targets, shards);
                var elapsed = watch.Elapsed;
                var hashmod = HashmodPlan.Of(targets, shards);
                var grown = ShardPlanner.Plan(targets, shards + 1, plan);
                var up = grown.ChangeFrom(plan);
                var down = ShardPlanner.Plan(targets, shards - 1, plan).ChangeFrom(plan);
                var removed = (double)plan.SeriesPerShard[shards - 1] / plan.TotalSeries;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {hosts:N0} | {shards} | {plan.Balance:F3} | {hashmod.Balance:F3} | {up.SeriesMovedShare:P1} ({1.0 / (shards + 1):P1}), {grown.Balance:F3} | {down.SeriesMovedShare:P1} ({removed:P1}) | {elapsed.TotalMilliseconds:F0} ms |"));
            }
        }
        return 0;
    }
}
