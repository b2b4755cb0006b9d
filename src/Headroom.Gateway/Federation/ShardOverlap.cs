using Headroom.PromQL;

namespace Headroom.Gateway.Federation;

/// <summary>
/// Joins copies of one series held by several shards: during a handover the old and the new shard both scrape the
/// target, and after a reshard each holds part of its history. The copies are treated as replicas of one another
/// (<see cref="ReplicaDeduplicator"/>: follow one copy, move to another only where it has a gap), so a series held twice
/// during the overlap is counted once and its samples keep one scrape loop's spacing. Unlike replicas, which are
/// assumed to read alike, a switch here passes over the new copy's samples read before the last one taken, so a
/// counter never steps back at a handover.
/// </summary>
/// <remarks>
/// A shard that drops a target writes a staleness marker into each of its series. Where another copy goes on
/// scraping (its next sample comes within two of its scrape intervals) the marker is dropped: the series did not end,
/// it moved, and keeping the marker would hide the series from instant queries until the new copy's next sample. At
/// the edge of what was read (the present, or a query's end) the other copy's next sample does not exist yet; there a
/// copy that was scraping up to the marker (its last sample within two intervals before it) and wrote no marker of
/// its own counts as going on. A marker with no copy going on stays, so a target that left the fleet still goes stale
/// at once: both shards that held it write a marker, and neither supersedes the other.
/// </remarks>
internal static class ShardOverlap
{
    public static FloatPoint[] Merge(IReadOnlyList<FloatPoint[]> copies)
    {
        var cleaned = new FloatPoint[copies.Count][];
        for (var c = 0; c < copies.Count; c++)
        {
            cleaned[c] = WithoutSupersededMarkers(copies, c);
        }
        return ReplicaDeduplicator.Merge(cleaned, skipEarlierReads: true, out _);
    }

    private static FloatPoint[] WithoutSupersededMarkers(IReadOnlyList<FloatPoint[]> copies, int index)
    {
        var points = copies[index];
        if (!Array.Exists(points, static p => StaleMarker.IsStale(p.F)))
        {
            return points;
        }
        var kept = new List<FloatPoint>(points.Length);
        foreach (var point in points)
        {
            if (!StaleMarker.IsStale(point.F) || !GoesOnElsewhere(copies, index, point.T))
            {
                kept.Add(point);
            }
        }
        return [.. kept];
    }

    /// <summary>
    /// Whether another copy has a real sample after <paramref name="t"/> within two of its scrape intervals, or, where it
    /// holds nothing after <paramref name="t"/> yet, ended with a real sample within two intervals before it.
    /// </summary>
    private static bool GoesOnElsewhere(IReadOnlyList<FloatPoint[]> copies, int index, long t)
    {
        for (var c = 0; c < copies.Count; c++)
        {
            if (c == index)
            {
                continue;
            }
            var other = copies[c];
            var spacing = MedianSpacing(other);
            if (spacing <= 0)
            {
                continue;
            }
            var i = FirstAfter(other, t);
            if (i < other.Length && !StaleMarker.IsStale(other[i].F) && other[i].T - t <= 2 * spacing)
            {
                return true;
            }
            if (i == other.Length && i > 0 && !StaleMarker.IsStale(other[i - 1].F) && t - other[i - 1].T <= 2 * spacing)
            {
                return true;
            }
        }
        return false;
    }

    private static int FirstAfter(FloatPoint[] points, long t)
    {
        int low = 0, high = points.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (points[mid].T <= t)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /// <summary>The median spacing of the first samples, as the deduplicator estimates a scrape interval; 0 with fewer than two.</summary>
    private static long MedianSpacing(FloatPoint[] points)
    {
        var n = Math.Min(points.Length - 1, 64);
        if (n <= 0)
        {
            return 0;
        }
        var deltas = new long[n];
        for (var i = 0; i < n; i++)
        {
            deltas[i] = points[i + 1].T - points[i].T;
        }
        Array.Sort(deltas);
        return deltas[n / 2];
    }
}
