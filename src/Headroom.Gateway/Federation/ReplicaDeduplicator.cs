using Headroom.PromQL;

namespace Headroom.Gateway.Federation;

/// <summary>
/// Joins the samples of one series as held by several HA replicas into one series with no gap that any replica
/// can fill. The answer follows one replica and leaves it only where that replica misses a scrape: when its next
/// sample is further away than a penalty of 1.5 scrape intervals (its median sample spacing) and another replica
/// has a sample in between. Staying on one replica keeps the timestamps of one scrape loop, so rates see regular
/// spacing; switching only into the gap keeps the answer in time order, so a counter read by two replicas never
/// shows a false reset.
/// </summary>
/// <remarks>
/// The idea is Thanos' penalty-based deduplication; this variant switches on any missed scrape rather than after
/// a fixed 5 s, because replicas that scrape at the same instants (the conformance scripts' shards, Prometheus
/// pairs started together) must give back every sample either of them holds.
/// </remarks>
public static class ReplicaDeduplicator
{
    private const int SpacingSample = 64;

    /// <summary>The deduplicated samples of one series held by <paramref name="replicas"/>, each ascending by time.</summary>
    public static FloatPoint[] Merge(IReadOnlyList<FloatPoint[]> replicas) => Merge(replicas, out _);

    /// <summary>
    /// The deduplicated samples of one series held by <paramref name="replicas"/>, and how many times the answer
    /// moved from one replica to another to fill a gap.
    /// </summary>
    public static FloatPoint[] Merge(IReadOnlyList<FloatPoint[]> replicas, out int switches)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        switches = 0;
        if (replicas.Count == 1)
        {
            return replicas[0];
        }
        var nonEmpty = replicas.Where(r => r.Length > 0).ToArray();
        if (nonEmpty.Length <= 1)
        {
            return nonEmpty.Length == 1 ? nonEmpty[0] : [];
        }
        var penalties = nonEmpty.Select(Penalty).ToArray();
        var cursors = new int[nonEmpty.Length];
        var output = new List<FloatPoint>(nonEmpty.Max(r => r.Length));
        var current = Earliest(nonEmpty, cursors);
        var last = long.MinValue;
        while (true)
        {
            for (var r = 0; r < nonEmpty.Length; r++)
            {
                var points = nonEmpty[r];
                ref var i = ref cursors[r];
                while (i < points.Length && points[i].T <= last)
                {
                    i++;
                }
            }
            var hasNext = cursors[current] < nonEmpty[current].Length;
            if (hasNext)
            {
                var next = nonEmpty[current][cursors[current]];
                if (last == long.MinValue || next.T - last <= penalties[current])
                {
                    output.Add(next);
                    last = next.T;
                    continue;
                }
            }
            var earliest = Earliest(nonEmpty, cursors);
            if (earliest < 0)
            {
                break;
            }
            if (earliest != current && (!hasNext || nonEmpty[earliest][cursors[earliest]].T < nonEmpty[current][cursors[current]].T))
            {
                current = earliest;
                switches++;
            }
            var taken = nonEmpty[current][cursors[current]];
            output.Add(taken);
            last = taken.T;
        }
        return [.. output];
    }

    /// <summary>The replica whose next sample is earliest, or -1 when all are done.</summary>
    private static int Earliest(FloatPoint[][] replicas, int[] cursors)
    {
        var best = -1;
        var bestT = long.MaxValue;
        for (var r = 0; r < replicas.Length; r++)
        {
            if (cursors[r] < replicas[r].Length && replicas[r][cursors[r]].T < bestT)
            {
                best = r;
                bestT = replicas[r][cursors[r]].T;
            }
        }
        return best;
    }

    /// <summary>1.5 times the median spacing of the first samples: more than jitter, less than one missed scrape.</summary>
    private static long Penalty(FloatPoint[] points)
    {
        var n = Math.Min(points.Length - 1, SpacingSample);
        if (n <= 0)
        {
            return 0;
        }
        Span<long> deltas = stackalloc long[n];
        for (var i = 0; i < n; i++)
        {
            deltas[i] = points[i + 1].T - points[i].T;
        }
        deltas.Sort();
        return deltas[n / 2] * 3 / 2;
    }
}
