using Headroom.Gateway.Federation;
using Headroom.PromQL;

namespace Headroom.Gateway.Tests;

public sealed class ReplicaDeduplicatorTests
{
    private const long Interval = 15_000;

    [Fact]
    public void Replicas_scraping_at_the_same_instants_give_back_every_sample_either_holds()
    {
        var random = new Random(7);
        var complete = Counter(0, 400, Interval);
        // Each replica misses its own random fifth; together they hold everything.
        var a = complete.Where((_, i) => i % 5 != 0 || random.NextDouble() < 0.5).ToArray();
        var b = complete.Where((_, i) => i % 5 == 0 || random.NextDouble() < 0.8).ToArray();
        Assert.True(a.Length < complete.Length && b.Length < complete.Length);

        var merged = ReplicaDeduplicator.Merge([a, b]);

        Assert.Equal(complete, merged);
    }

    [Fact]
    public void A_replica_down_for_ten_minutes_leaves_no_gap_and_no_false_counter_reset()
    {
        // Replica b scrapes 7 s after a. a is down from 30 to 40 minutes (restart), b misses a random tenth.
        var random = new Random(3);
        var a = Counter(0, 240, Interval).Where(p => p.T is < 30 * 60_000 or > 40 * 60_000).ToArray();
        var b = Counter(7_000, 240, Interval).Where(_ => random.NextDouble() > 0.1).ToArray();

        var merged = ReplicaDeduplicator.Merge([a, b]);

        for (var i = 1; i < merged.Length; i++)
        {
            Assert.True(merged[i].T > merged[i - 1].T, $"time goes back at {i}");
            Assert.True(merged[i].F >= merged[i - 1].F, $"false counter reset at {merged[i].T}");
            // A gap is allowed only where neither replica holds a sample to fill it.
            var (from, to) = (merged[i - 1].T, merged[i].T);
            if (to - from > Interval * 3 / 2)
            {
                Assert.False(a.Concat(b).Any(p => p.T > from && p.T < to), $"gap of {to - from} ms at {to} that a replica could fill");
            }
        }
        Assert.Equal(a[0], merged[0]);
        Assert.Equal(Math.Max(a[^1].T, b[^1].T), merged[^1].T);
    }

    [Fact]
    public void The_answer_stays_on_one_replica_while_it_is_healthy()
    {
        var a = Counter(0, 100, Interval);
        var b = Counter(7_000, 100, Interval);

        var merged = ReplicaDeduplicator.Merge([a, b], out var switches);

        Assert.Equal(1, switches);
        Assert.Equal(a, merged.Where(p => p.T <= a[^1].T));
        Assert.DoesNotContain(merged, p => p.T % Interval == 7_000 && p.T < a[^1].T);
    }

    [Fact]
    public void The_increase_across_a_switch_equals_a_complete_replicas()
    {
        var a = Counter(0, 240, Interval).Where(p => p.T is < 20 * 60_000 or > 25 * 60_000).ToArray();
        var b = Counter(7_000, 240, Interval);
        var merged = ReplicaDeduplicator.Merge([a, b]);

        // Over 10:00 to 50:00, what each counts is value at the end minus value at the start: the counter grows 2 a second.
        var increase = Last(merged, 50 * 60_000).F - Last(merged, 10 * 60_000).F;
        var complete = Last(b, 50 * 60_000).F - Last(b, 10 * 60_000).F;
        Assert.InRange(increase, complete - 2 * 15, complete + 2 * 15);
    }

    [Fact]
    public void One_replica_or_empty_replicas_pass_through()
    {
        var a = Counter(0, 10, Interval);
        Assert.Same(a, ReplicaDeduplicator.Merge([a]));
        Assert.Same(a, ReplicaDeduplicator.Merge([a, []]));
        Assert.Empty(ReplicaDeduplicator.Merge([[], []]));
    }

    [Fact]
    public void A_complete_replica_is_the_answer_as_it_is()
    {
        var a = Counter(0, 100, Interval);
        var b = a.Where((_, i) => i % 3 != 0).ToArray();

        Assert.Same(a, ReplicaDeduplicator.Merge([a, b]));
        Assert.Same(a, ReplicaDeduplicator.Merge([b, a]));
        Assert.Same(a, ReplicaDeduplicator.Merge([a, (FloatPoint[])a.Clone()]));
    }

    [Fact]
    public void Merging_runs_at_once_gives_what_stepping_sample_by_sample_gives()
    {
        // The oracle is the algorithm as first written: every replica's cursor stepped for every sample taken.
        var random = new Random(11);
        for (var trial = 0; trial < 500; trial++)
        {
            var replicas = Enumerable.Range(0, random.Next(2, 4)).Select(_ =>
            {
                var phase = random.Next(0, 3) * 5_000L;
                var interval = random.Next(0, 4) == 0 ? 30_000 : Interval;
                var lost = random.NextDouble() * 0.5;
                var points = Counter(phase, random.Next(0, 120), interval).Where(p => random.NextDouble() >= lost || (p.T / 600_000) % 3 == 1).ToList();
                if (points.Count > 3 && random.Next(0, 5) == 0)
                    points.Insert(random.Next(1, points.Count), points[random.Next(0, points.Count)]);
                return points.ToArray();
            }).ToArray();

            Assert.Equal(SampleBySample(replicas), ReplicaDeduplicator.Merge(replicas));
        }
    }

    private static FloatPoint[] SampleBySample(FloatPoint[][] replicas)
    {
        var nonEmpty = replicas.Where(r => r.Length > 0).ToArray();
        if (nonEmpty.Length <= 1)
            return nonEmpty.Length == 1 ? nonEmpty[0] : [];
        var penalties = nonEmpty.Select(r =>
        {
            var deltas = Enumerable.Range(0, Math.Min(r.Length - 1, 64)).Select(i => r[i + 1].T - r[i].T).Order().ToArray();
            return deltas.Length == 0 ? 0 : deltas[deltas.Length / 2] * 3 / 2;
        }).ToArray();
        var cursors = new int[nonEmpty.Length];
        var output = new List<FloatPoint>();
        var current = Earliest();
        var last = long.MinValue;
        while (true)
        {
            for (var r = 0; r < nonEmpty.Length; r++)
            {
                while (cursors[r] < nonEmpty[r].Length && nonEmpty[r][cursors[r]].T <= last)
                    cursors[r]++;
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
            var earliest = Earliest();
            if (earliest < 0)
                break;
            if (!hasNext || nonEmpty[earliest][cursors[earliest]].T < nonEmpty[current][cursors[current]].T)
                current = earliest;
            output.Add(nonEmpty[current][cursors[current]]);
            last = output[^1].T;
        }
        return [.. output];

        int Earliest()
        {
            var best = -1;
            for (var r = 0; r < nonEmpty.Length; r++)
            {
                if (cursors[r] < nonEmpty[r].Length && (best < 0 || nonEmpty[r][cursors[r]].T < nonEmpty[best][cursors[best]].T))
                    best = r;
            }
            return best;
        }
    }

    private static FloatPoint Last(FloatPoint[] points, long at) => points.Last(p => p.T <= at);

    private static FloatPoint[] Counter(long phase, int count, long interval) =>
        [.. Enumerable.Range(0, count).Select(i => new FloatPoint(phase + i * interval, 2.0 * (phase + i * interval) / 1000))];
}
