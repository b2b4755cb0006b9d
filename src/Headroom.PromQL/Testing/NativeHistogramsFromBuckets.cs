using System.Globalization;
using Headroom.PromQL.Storage;

namespace Headroom.PromQL.Testing;

/// <summary>
/// <c>load_with_nhcb</c>: besides the classic series, stores each classic histogram (<c>x_bucket</c> with
/// <c>x_sum</c>, <c>x_count</c>) as a native histogram with custom buckets named <c>x</c>.
/// </summary>
internal static class NativeHistogramsFromBuckets
{
    public static void Load(InMemoryStorage storage, List<(Labels Labels, List<SeriesValues.Value> Values)> loaded, long interval)
    {
        var families = new Dictionary<Labels, List<(double Bound, List<SeriesValues.Value> Values)>>();
        var le = new HashSet<string>(StringComparer.Ordinal) { "le" };
        foreach (var (labels, values) in loaded)
        {
            var name = labels.Name;
            if (!name.EndsWith("_bucket", StringComparison.Ordinal) || !TryBound(labels.Get("le"), out var bound))
            {
                continue;
            }
            var key = labels.Without(le).With(Labels.MetricName, name[..^"_bucket".Length]);
            if (!families.TryGetValue(key, out var buckets))
            {
                buckets = [];
                families.Add(key, buckets);
            }
            buckets.Add((bound, values));
        }
        foreach (var (key, buckets) in families)
        {
            buckets.Sort((a, b) => a.Bound.CompareTo(b.Bound));
            // The same bound written differently ("0.2", "2e-1") is one bucket of the native histogram.
            for (var b = buckets.Count - 1; b > 0; b--)
            {
                if (buckets[b].Bound == buckets[b - 1].Bound)
                {
                    buckets.RemoveAt(b);
                }
            }
            if (!double.IsPositiveInfinity(buckets[^1].Bound))
            {
                buckets.Add((double.PositiveInfinity, buckets[^1].Values));
            }
            var sum = Find(loaded, key, "_sum");
            var count = Find(loaded, key, "_count");
            var length = buckets.Max(b => b.Values.Count);
            for (var k = 0; k < length; k++)
            {
                if (buckets.Any(b => k >= b.Values.Count || b.Values[k].Missing || StaleMarker.IsStale(b.Values[k].F)))
                {
                    continue;
                }
                var bounds = buckets.Take(buckets.Count - 1).Select(b => b.Bound).ToArray();
                var counts = new double[buckets.Count];
                double previous = 0;
                for (var b = 0; b < buckets.Count; b++)
                {
                    counts[b] = buckets[b].Values[k].F - previous;
                    previous = buckets[b].Values[k].F;
                }
                var total = count is not null && k < count.Count && !count[k].Missing ? count[k].F : previous;
                var sumValue = sum is not null && k < sum.Count && !sum[k].Missing ? sum[k].F : 0;
                storage.Append(key, k * interval, new NativeHistogram(bounds, counts, total, sumValue));
            }
        }
    }

    private static List<SeriesValues.Value>? Find(List<(Labels Labels, List<SeriesValues.Value> Values)> loaded, Labels key, string suffix)
    {
        var wanted = key.With(Labels.MetricName, key.Name + suffix);
        return loaded.FirstOrDefault(l => l.Labels.Equals(wanted)).Values;
    }

    private static bool TryBound(string text, out double bound)
    {
        bound = double.NaN;
        if (text.Equals("+Inf", StringComparison.OrdinalIgnoreCase) || text.Equals("Inf", StringComparison.OrdinalIgnoreCase))
        {
            bound = double.PositiveInfinity;
            return true;
        }
        return text.Length > 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out bound);
    }
}
