using Headroom.Prometheus.Relabeling;
using Headroom.Sharding;
using Xunit.Abstractions;

namespace Headroom.Sharding.Tests;

public sealed class ShardPlannerTests(ITestOutputHelper output)
{
    [Fact]
    public void The_skewed_profile_is_skewed()
    {
        // Otherwise the balance tests below would pass for any planner.
        var targets = SkewedFleet.Targets(1000);
        var sizes = targets.Select(t => t.Series).Order().ToList();
        Assert.True(sizes[^1] >= 20 * sizes[0], $"largest {sizes[^1]}, smallest {sizes[0]}");
        Assert.True(HashmodPlan.Of(targets, 8).Balance > 1.1, "hashmod happens to balance this fleet; choose another seed");
    }

    [Theory]
    [InlineData(200, 2)]
    [InlineData(200, 4)]
    [InlineData(1000, 4)]
    [InlineData(1000, 8)]
    [InlineData(1000, 16)]
    [InlineData(5000, 32)]
    public void The_largest_shard_is_within_10_percent_of_the_mean_on_the_skewed_profile(int hosts, int shards)
    {
        var targets = SkewedFleet.Targets(hosts);
        var plan = ShardPlanner.Plan(targets, shards);
        var hashmod = HashmodPlan.Of(targets, shards);
        output.WriteLine($"{hosts} targets on {shards} shards: plan {plan.Balance:F3}, hashmod {hashmod.Balance:F3}");
        Assert.True(plan.Balance <= 1.10, $"max/mean {plan.Balance:F3}");
        Assert.True(plan.Balance < hashmod.Balance);
        Assert.Equal(targets.Count, plan.TargetsPerShard.Sum());
        Assert.Equal(targets.Sum(t => t.Series), plan.TotalSeries);
    }

    [Theory]
    [InlineData(1000, 2)]
    [InlineData(1000, 4)]
    [InlineData(1000, 8)]
    [InlineData(5000, 16)]
    public void One_more_shard_moves_at_most_about_one_in_n_of_the_series(int hosts, int shards)
    {
        var targets = SkewedFleet.Targets(hosts);
        var before = ShardPlanner.Plan(targets, shards);
        var after = ShardPlanner.Plan(targets, shards + 1, before);
        var change = after.ChangeFrom(before);
        output.WriteLine($"{shards} -> {shards + 1}: moved {change.SeriesMovedShare:P1} of the series ({change.TargetsMoved} targets), ideal {1.0 / (shards + 1):P1}; balance {after.Balance:F3}");
        Assert.True(change.SeriesMovedShare <= 1.0 / (shards + 1) + 0.02, $"moved {change.SeriesMovedShare:P1}");
        Assert.True(change.SeriesMoved > 0);
        Assert.True(after.Balance <= 1.10, $"max/mean {after.Balance:F3}");
        Assert.True(after.SeriesPerShard[shards] >= 0.9 * after.MeanSeries, $"the new shard got only {after.SeriesPerShard[shards]} of a mean {after.MeanSeries:F0}");
    }

    [Theory]
    [InlineData(1000, 4)]
    [InlineData(1000, 8)]
    public void One_shard_fewer_moves_about_the_removed_shards_series(int hosts, int shards)
    {
        var targets = SkewedFleet.Targets(hosts);
        var before = ShardPlanner.Plan(targets, shards);
        var after = ShardPlanner.Plan(targets, shards - 1, before);
        var change = after.ChangeFrom(before);
        var removed = (double)before.SeriesPerShard[shards - 1] / before.TotalSeries;
        output.WriteLine($"{shards} -> {shards - 1}: moved {change.SeriesMovedShare:P1}, the removed shard held {removed:P1}");
        Assert.True(change.SeriesMovedShare <= removed + 0.02, $"moved {change.SeriesMovedShare:P1}");
        Assert.True(after.Balance <= 1.10);
    }

    [Fact]
    public void Re_planning_the_same_fleet_moves_nothing()
    {
        var targets = SkewedFleet.Targets(1000);
        var plan = ShardPlanner.Plan(targets, 8);
        Assert.Equal(0, ShardPlanner.Plan(targets, 8, plan).ChangeFrom(plan).TargetsMoved);
    }

    [Fact]
    public void A_growing_fleet_keeps_its_targets_where_they_were()
    {
        var small = SkewedFleet.Targets(250);
        var large = SkewedFleet.Targets(1000);
        var before = ShardPlanner.Plan(small, 2);
        var after = ShardPlanner.Plan(large, 4, before);
        // The old shards each shed down to the new mean; nothing else of theirs moves.
        var change = after.ChangeFrom(before);
        Assert.True(change.SeriesMoved <= before.TotalSeries * 0.5, $"moved {change.SeriesMoved} of {before.TotalSeries}");
        Assert.True(after.Balance <= 1.10, $"max/mean {after.Balance:F3}");
    }

    [Fact]
    public void The_same_input_gives_the_same_plan()
    {
        var targets = SkewedFleet.Targets(500);
        var a = ShardPlanner.Plan(targets, 6);
        var b = ShardPlanner.Plan(targets, 6);
        Assert.All(targets, t => Assert.Equal(a.ShardOf(t.Id), b.ShardOf(t.Id)));
    }

    [Fact]
    public void A_budget_gives_the_fewest_shards_that_hold_it()
    {
        var targets = SkewedFleet.Targets(1000);
        var total = targets.Sum(t => t.Series);
        var plan = ShardPlanner.PlanWithin(targets, total / 5);
        Assert.True(plan.MaxSeries <= total / 5);
        Assert.InRange(plan.ShardCount, 5, 6);
        Assert.True(ShardPlanner.Plan(targets, plan.ShardCount - 1).MaxSeries > total / 5);
    }

    [Fact]
    public void A_target_over_the_budget_is_an_error_naming_it()
    {
        ShardTarget[] targets = [new("small", 10), new("huge", 5000)];
        var e = Assert.Throws<ShardingException>(() => ShardPlanner.PlanWithin(targets, 1000));
        Assert.Contains("huge", e.Message, StringComparison.Ordinal);
        Assert.Contains("budget", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hashmod_places_each_target_where_prometheus_would()
    {
        var targets = SkewedFleet.Targets(100);
        var plan = HashmodPlan.Of(targets, 3);
        Assert.All(targets, t => Assert.Equal(Hashmod.Of(t.Id, 3), plan.ShardOf(t.Id)));
    }
}
