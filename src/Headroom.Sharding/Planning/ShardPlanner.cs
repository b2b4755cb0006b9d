using Headroom.Prometheus.Relabeling;

namespace Headroom.Sharding;

/// <summary>
/// Assigns targets to shards so that every shard holds about the same number of series, moving as few series as it
/// can from the previous assignment.
/// </summary>
/// <remarks>
/// <para>
/// Three passes. <b>Keep</b>: every target stays on its previous shard if that shard still exists (shards are
/// removed from the highest index down, as a StatefulSet scales down). <b>Shed</b>: a shard over the cap
/// (mean × (1 + tolerance)) gives up the targets that bring it under with the fewest series moved: the smallest
/// target at least as large as the excess, else its largest and again. <b>Place</b>: the shed targets, the new ones
/// and those of removed shards go, largest first, to the least-loaded shard (LPT); then, while the largest shard is
/// over the cap or the smallest under the floor (mean × (1 − tolerance), so that a new shard takes its share), one
/// target moves from the largest to the smallest shard, the one closest to half their difference.
/// </para>
/// <para>
/// Why this and not rendezvous hashing with a bounded-load pass: hashing moves ~1/(N+1) of the <i>targets</i> when a
/// shard is added, but balances targets, not series; its bounded-load refinement then moves more. Starting from the
/// previous assignment, a shard sheds only what the new mean asks for: with a 5% tolerance, going from N to N+1 shards
/// moves between 0.95/(N+1) and 1/(N+1) of the series plus one target's worth (the new shard fills to at least 95% of
/// the mean), and on the fleet simulator's skewed profile the largest shard is within 5% of the mean at 1,000 to
/// 50,000 targets (see docs/benchmarks.md, "Shard planning").
/// The tolerance is 5% rather than the 10% asked of the result so that a fleet drifting by a few percent between
/// plans does not shed at every re-plan.
/// </para>
/// </remarks>
public static class ShardPlanner
{
    /// <summary>How far over the mean a shard may be before it sheds targets: 5%.</summary>
    public const double DefaultTolerance = 0.05;

    /// <summary>Plans <paramref name="targets"/> onto <paramref name="shards"/> shards, starting from <paramref name="previous"/>.</summary>
    /// <param name="targets">Every target of the fleet, each id once.</param>
    /// <param name="shards">How many shards, at least 1.</param>
    /// <param name="previous">The assignment in force, or null for a fresh plan.</param>
    /// <param name="tolerance">How far over the mean a shard may be before it sheds targets.</param>
    public static ShardPlan Plan(IReadOnlyList<ShardTarget> targets, int shards, ShardPlan? previous = null, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        var n = targets.Count;
        var shardOf = new int[n];
        Array.Fill(shardOf, -1);
        var loads = new long[shards];
        var members = new List<int>[shards];
        for (var s = 0; s < shards; s++)
            members[s] = [];
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            total += targets[i].Series;
            if (previous?.ShardOf(targets[i].Id) is { } before && before < shards)
                Assign(i, before);
        }
        var cap = (long)Math.Floor((double)total / shards * (1 + tolerance));
        // A shard added to a fleet whose shards are all within the cap would otherwise stay empty.
        var floor = (long)Math.Ceiling((double)total / shards * (1 - tolerance));

        var pending = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (shardOf[i] < 0)
                pending.Add(i);
        }
        for (var s = 0; s < shards; s++)
        {
            while (loads[s] > cap && members[s].Count > 1)
            {
                var shed = Shed(members[s], loads[s] - cap, targets);
                Unassign(shed);
                pending.Add(shed);
            }
        }

        // Largest first, ties by id, so that the same input always gives the same plan.
        pending.Sort((a, b) => targets[a].Series != targets[b].Series
            ? targets[b].Series.CompareTo(targets[a].Series)
            : string.CompareOrdinal(targets[a].Id, targets[b].Id));
        var leastLoaded = new PriorityQueue<int, (long Load, int Shard)>(shards);
        for (var s = 0; s < shards; s++)
            leastLoaded.Enqueue(s, (loads[s], s));
        foreach (var i in pending)
        {
            var s = leastLoaded.Dequeue();
            Assign(i, s);
            leastLoaded.Enqueue(s, (loads[s], s));
        }

        Refine();
        return new ShardPlan(targets, shardOf, shards);

        void Assign(int i, int s)
        {
            shardOf[i] = s;
            loads[s] += targets[i].Series;
            members[s].Add(i);
        }

        void Unassign(int i)
        {
            var s = shardOf[i];
            shardOf[i] = -1;
            loads[s] -= targets[i].Series;
            members[s].Remove(i);
        }

        void Refine()
        {
            // Each move lowers the sum of squared loads, so the loop ends; the bound is a guard, never reached in tests.
            for (var round = 0; round < 2 * n + shards; round++)
            {
                var (high, low) = (0, 0);
                for (var s = 1; s < shards; s++)
                {
                    if (loads[s] > loads[high])
                        high = s;
                    if (loads[s] < loads[low])
                        low = s;
                }
                if (loads[high] <= cap && loads[low] >= floor)
                    return;
                var gap = loads[high] - loads[low];
                var best = -1;
                var bestDistance = long.MaxValue;
                foreach (var i in members[high])
                {
                    var size = targets[i].Series;
                    var distance = Math.Abs((2 * size) - gap);
                    if (size > 0 && size < gap && distance < bestDistance)
                    {
                        best = i;
                        bestDistance = distance;
                    }
                }
                if (best < 0)
                    return;
                Unassign(best);
                Assign(best, low);
            }
        }
    }

    /// <summary>
    /// The fewest shards whose plan keeps every shard within <paramref name="budgetSeries"/> series, and that plan.
    /// </summary>
    /// <exception cref="ShardingException">One target alone is over the budget.</exception>
    public static ShardPlan PlanWithin(IReadOnlyList<ShardTarget> targets, long budgetSeries, ShardPlan? previous = null, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetSeries, 1);
        if (targets.Count > 0)
        {
            var largest = targets.MaxBy(static t => t.Series);
            if (largest.Series > budgetSeries)
                throw new ShardingException($"target {largest.Id} alone has {largest.Series:N0} series, over the budget of {budgetSeries:N0} per shard; raise the budget or drop series from that target with metric_relabel_configs");
        }
        var total = targets.Sum(static t => t.Series);
        var shards = (int)Math.Max(1, Math.Min(Math.Max(1, targets.Count), (total + budgetSeries - 1) / budgetSeries));
        while (true)
        {
            var plan = Plan(targets, shards, previous, tolerance);
            if (plan.MaxSeries <= budgetSeries || shards >= targets.Count)
                return plan;
            shards++;
        }
    }

    /// <summary>The member to move off a shard that is <paramref name="excess"/> series over the cap.</summary>
    private static int Shed(List<int> members, long excess, IReadOnlyList<ShardTarget> targets)
    {
        int fits = -1, largest = -1;
        foreach (var i in members)
        {
            var size = targets[i].Series;
            if (size >= excess && (fits < 0 || size < targets[fits].Series))
                fits = i;
            if (largest < 0 || size > targets[largest].Series)
                largest = i;
        }
        return fits >= 0 ? fits : largest;
    }
}

/// <summary>The same targets under Prometheus' plain <c>hashmod</c> relabeling, to compare with a plan.</summary>
public static class HashmodPlan
{
    /// <summary>Each target on shard <c>hashmod(id, shards)</c>, as <c>source_labels: [instance]</c> with that modulus would put it.</summary>
    public static ShardPlan Of(IReadOnlyList<ShardTarget> targets, int shards)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return new ShardPlan(targets, [.. targets.Select(t => Hashmod.Of(t.Id, shards))], shards);
    }
}

/// <summary>A plan cannot be made from what was given; the message says what to change.</summary>
public sealed class ShardingException : Exception
{
    public ShardingException()
    {
    }

    public ShardingException(string message)
        : base(message)
    {
    }

    public ShardingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
