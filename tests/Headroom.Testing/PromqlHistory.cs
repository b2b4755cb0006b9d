using System.Globalization;
using System.Text;

namespace Headroom.Testing;

/// <summary>
/// Six hours of synthetic data for comparing Headroom's PromQL engine with Prometheus: request counters with
/// resets, a memory gauge, classic histograms (one with a reset), and a series with a gap. Written as
/// OpenMetrics for <c>promtool tsdb create-blocks-from openmetrics</c>.
/// </summary>
/// <remarks>
/// Sample i of a series sits at <see cref="Start"/> + 15 s × i + a jitter of 3 to 12 s, never on a multiple of
/// 15 s. Queries evaluated at multiples of 15 s (with ranges and offsets in whole 15 s) then never find a sample
/// on a range's left edge, where Prometheus 2 (left-closed ranges) and Prometheus 3 (left-open, as Headroom)
/// disagree by design.
/// </remarks>
public static class PromqlHistory
{
    /// <summary>The time of the first sample slot: 2026-11-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Samples per series (6 hours at 15 s).</summary>
    public const int Slots = 6 * 240;

    /// <summary>The end of the data: the last slot plus its largest jitter.</summary>
    public static DateTimeOffset End => Start.AddSeconds(15 * (Slots - 1) + 12);

    private static readonly string[] Buckets = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];
    private static readonly double[] BucketBounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, double.PositiveInfinity];

    /// <summary>Writes the OpenMetrics text, ending with <c># EOF</c>.</summary>
    /// <param name="onSlots">
    /// Every sample exactly on its 15 s slot, without jitter: windows that end on whole minutes then start on a
    /// sample, where Prometheus 2 and 3 differ (the values are the same either way).
    /// </param>
    public static string OpenMetrics(bool onSlots = false)
    {
        double Time(Random random, int slot) => PromqlHistory.Time(random, slot, onSlots);

        var text = new StringBuilder();
        var random = new Random(42);

        text.Append("# TYPE http_requests counter\n");
        var index = 0;
        foreach (var job in new[] { "api", "web" })
        {
            foreach (var instance in new[] { "a", "b", "c" })
            {
                foreach (var code in new[] { "200", "500" })
                {
                    var series = $"http_requests_total{{code=\"{code}\",instance=\"{instance}\",job=\"{job}\"}}";
                    var perSlot = (code == "200" ? 40 : 2) * (1 + index % 3);
                    var resetAt = 200 + 97 * index;
                    double value = random.Next(0, 1000);
                    for (var i = 0; i < Slots; i++)
                    {
                        value = i == resetAt || i == resetAt + 600 ? random.Next(0, 5) : value + perSlot * (0.5 + random.NextDouble());
                        Sample(text, series, value, Time(random, i));
                    }
                    index++;
                }
            }
        }

        text.Append("# TYPE node_memory_used_bytes gauge\n");
        foreach (var (instance, size) in new[] { ("a", 8.0), ("b", 16.0), ("c", 32.0) })
        {
            var series = $"node_memory_used_bytes{{instance=\"{instance}\",job=\"node\"}}";
            for (var i = 0; i < Slots; i++)
            {
                var value = size * (1 << 30) * (0.5 + 0.3 * Math.Sin(i / 60.0) + 0.05 * random.NextDouble());
                Sample(text, series, Math.Round(value), Time(random, i));
            }
        }

        text.Append("# TYPE request_duration_seconds histogram\n");
        foreach (var (job, scale) in new[] { ("api", 0.2), ("web", 0.6) })
        {
            var counts = new double[Buckets.Length];
            double sum = 0;
            var timestamps = new double[Slots];
            var bucketValues = new double[Slots, Buckets.Length];
            var sums = new double[Slots];
            for (var i = 0; i < Slots; i++)
            {
                timestamps[i] = Time(random, i);
                if (job == "web" && i == 700)
                {
                    Array.Clear(counts);
                    sum = 0;
                }
                var observations = 20 + random.Next(0, 30);
                for (var o = 0; o < observations; o++)
                {
                    var latency = -scale * Math.Log(1 - random.NextDouble());
                    sum += latency;
                    for (var b = 0; b < Buckets.Length; b++)
                    {
                        if (latency <= BucketBounds[b])
                        {
                            counts[b]++;
                        }
                    }
                }
                for (var b = 0; b < Buckets.Length; b++)
                {
                    bucketValues[i, b] = counts[b];
                }
                sums[i] = sum;
            }
            for (var b = 0; b < Buckets.Length; b++)
            {
                for (var i = 0; i < Slots; i++)
                {
                    Sample(text, $"request_duration_seconds_bucket{{job=\"{job}\",le=\"{Buckets[b]}\"}}", bucketValues[i, b], timestamps[i]);
                }
            }
            for (var i = 0; i < Slots; i++)
            {
                Sample(text, $"request_duration_seconds_count{{job=\"{job}\"}}", bucketValues[i, Buckets.Length - 1], timestamps[i]);
            }
            for (var i = 0; i < Slots; i++)
            {
                Sample(text, $"request_duration_seconds_sum{{job=\"{job}\"}}", sums[i], timestamps[i]);
            }
        }

        // A batch job reporting only in its first and last two hours: instant selectors find nothing in between.
        text.Append("# TYPE batch_last_duration_seconds gauge\n");
        for (var i = 0; i < Slots; i++)
        {
            var t = Time(random, i);
            if (i < 480 || i >= 960)
            {
                Sample(text, "batch_last_duration_seconds{job=\"batch\"}", 30 + 10 * random.NextDouble(), t);
            }
        }

        text.Append("# EOF\n");
        return text.ToString();
    }

    private static double Time(Random random, int slot, bool onSlot)
    {
        // The jitter is drawn either way, so the values are the same with and without it.
        var jitter = 3 + random.Next(0, 9001) / 1000.0;
        return Start.ToUnixTimeMilliseconds() / 1000.0 + 15 * slot + (onSlot ? 0 : jitter);
    }

    private static void Sample(StringBuilder text, string series, double value, double seconds) =>
        text.Append(series).Append(' ')
            .Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
            .Append(seconds.ToString("F3", CultureInfo.InvariantCulture)).Append('\n');
}
