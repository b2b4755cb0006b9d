using System.Buffers;
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
        // The answer is written into one pooled buffer and copied once at its exact length: a day of 15 s samples is
        // 92 KB, a large-object allocation, and a growing list made two or three of them per series.
        var buffer = ArrayPool<FloatPoint>.Shared.Rent(nonEmpty.Sum(static r => r.Length));
        try
        {
            return Merge(nonEmpty, penalties, buffer, out switches);
        }
        finally
        {
            ArrayPool<FloatPoint>.Shared.Return(buffer);
        }
    }

    private static FloatPoint[] Merge(FloatPoint[][] nonEmpty, long[] penalties, FloatPoint[] output, out int switches)
    {
        switches = 0;
        var count = 0;
        var cursors = new int[nonEmpty.Length];
        var current = Earliest(nonEmpty, cursors);
        var last = long.MinValue;
        while (true)
        {
            // Follow the current replica while its next sample comes within the penalty, copying the run at once: the
            // other replicas matter only at a gap.
            var points = nonEmpty[current];
            var penalty = penalties[current];
            ref var i = ref cursors[current];
            while (i < points.Length && points[i].T <= last)
            {
                i++;
            }
            var run = i;
            while (i < points.Length && points[i].T > last && (last == long.MinValue || points[i].T - last <= penalty))
            {
                last = points[i].T;
                i++;
            }
            if (i < points.Length && points[i].T <= last)
            {
                // A sample out of order within the replica: skipped at the top, and the run goes on.
                points.AsSpan(run, i - run).CopyTo(output.AsSpan(count));
                count += i - run;
                continue;
            }
            for (var r = 0; r < nonEmpty.Length; r++)
            {
                var other = nonEmpty[r];
                ref var j = ref cursors[r];
                while (j < other.Length && other[j].T <= last)
                {
                    j++;
                }
            }
            var earliest = Earliest(nonEmpty, cursors);
            if (earliest < 0 && count == 0 && run == 0 && i == points.Length)
            {
                // One complete replica holds everything the others hold: its samples are the answer, uncopied.
                return points;
            }
            points.AsSpan(run, i - run).CopyTo(output.AsSpan(count));
            count += i - run;
            if (earliest < 0)
            {
                break;
            }
            // A gap in the current replica (or its end): move to the replica whose next sample comes first, if earlier.
            var hasNext = i < points.Length;
            if (earliest != current && (!hasNext || nonEmpty[earliest][cursors[earliest]].T < points[i].T))
            {
                current = earliest;
                switches++;
            }
            var taken = nonEmpty[current][cursors[current]];
            output[count++] = taken;
            last = taken.T;
        }
        return output.AsSpan(0, count).ToArray();
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
