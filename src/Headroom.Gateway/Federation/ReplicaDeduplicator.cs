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
    public static FloatPoint[] Merge(IReadOnlyList<FloatPoint[]> replicas, out int switches) =>
        Merge(replicas, skipEarlierReads: false, out switches);

    /// <summary>
    /// The deduplicated samples of one series, where <paramref name="skipEarlierReads"/> also passes over, right after a
    /// switch, the new copy's samples that lie within one of its scrape intervals of the last sample taken and whose
    /// value is lower than that sample's.
    /// </summary>
    /// <remarks>
    /// A scrape is stamped when it starts, but the target computes its values when the request reaches it, up to a
    /// scrape timeout (at most one interval) later. Two scrape loops of one target (the old and the new shard during a
    /// handover) therefore do not order their values as they order their timestamps: a sample stamped 300 ms after
    /// the last one taken may have been read before it, and a counter would step back, a false reset for
    /// <c>rate()</c> (1 in 5 runs of the autoscaler test on a loaded 2-core machine, 1 s scrapes). A sample stamped
    /// more than one interval later was read after it, so a real reset still shows, one sample later at most. For a
    /// gauge the cost is one sample of the new copy less, next to a switch.
    /// </remarks>
    internal static FloatPoint[] Merge(IReadOnlyList<FloatPoint[]> replicas, bool skipEarlierReads, out int switches)
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
            return Merge(nonEmpty, penalties, skipEarlierReads, buffer, out switches);
        }
        finally
        {
            ArrayPool<FloatPoint>.Shared.Return(buffer);
        }
    }

    private static FloatPoint[] Merge(FloatPoint[][] nonEmpty, long[] penalties, bool skipEarlierReads, FloatPoint[] output, out int switches)
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
                if (skipEarlierReads && count > 0 && SkipEarlierReads(nonEmpty[current], ref cursors[current], output[count - 1], penalties[current]))
                {
                    // The copy's samples read before the last one taken are passed over; which copy goes on is chosen afresh.
                    continue;
                }
            }
            var taken = nonEmpty[current][cursors[current]];
            output[count++] = taken;
            last = taken.T;
        }
        return output.AsSpan(0, count).ToArray();
    }

    /// <summary>
    /// Moves <paramref name="cursor"/> past the samples within one scrape interval (two thirds of the penalty) of
    /// <paramref name="last"/> whose value is lower than its; whether any were passed over.
    /// </summary>
    private static bool SkipEarlierReads(FloatPoint[] points, ref int cursor, FloatPoint last, long penalty)
    {
        var interval = penalty * 2 / 3;
        var start = cursor;
        while (cursor < points.Length && points[cursor].T - last.T <= interval && points[cursor].F < last.F)
        {
            cursor++;
        }
        return cursor > start;
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
