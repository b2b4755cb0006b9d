using System.Globalization;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

internal static partial class Functions
{
    private const double SmallDeltaTolerance = 1e-12;

    private static void AddHistograms(Dictionary<string, FunctionImplementation> t)
    {
        t["histogram_quantile"] = (ev, c) =>
        {
            var q = ev.EvalScalar(c.Arguments[0]);
            if (q.FirstOrDefault(x => double.IsNaN(x) || x < 0 || x > 1) is var bad && (double.IsNaN(bad) || bad is < 0 or > 1))
            {
                ev.Context.Annotations.Warn($"quantile value should be between 0 and 1, got {Evaluator.FormatValue(bad)}");
            }
            return ClassicBuckets(ev, c, c.Arguments[1], (buckets, i, name) =>
            {
                var (value, forced) = BucketQuantile(q[i], buckets);
                if (forced)
                {
                    ev.Context.Annotations.Info("input to histogram_quantile needed to be fixed for monotonicity " +
                        $"(see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"{name}\"");
                }
                return value;
            });
        };
        t["histogram_fraction"] = (ev, c) =>
        {
            var lower = ev.EvalScalar(c.Arguments[0]);
            var upper = ev.EvalScalar(c.Arguments[1]);
            return ClassicBuckets(ev, c, c.Arguments[2], (buckets, i, _) => BucketFraction(lower[i], upper[i], buckets));
        };
        // These read native histograms only; float samples are ignored.
        t["histogram_count"] = (ev, c) => MapHistograms(ev, c, h => h.Count);
        t["histogram_sum"] = (ev, c) => MapHistograms(ev, c, h => h.Sum);
        t["histogram_avg"] = (ev, c) => MapHistograms(ev, c, h => h.Sum / h.Count);
        t["histogram_stdvar"] = (ev, c) => MapHistograms(ev, c, Variance);
        t["histogram_stddev"] = (ev, c) => MapHistograms(ev, c, h => Math.Sqrt(Variance(h)));
        t["histogram_quantiles"] = (ev, c) =>
        {
            var label = ev.StringArg(c, 1);
            var quantiles = Enumerable.Range(2, c.Arguments.Count - 2).Select(i => ev.EvalScalar(c.Arguments[i])).ToArray();
            var input = c.Arguments[0];
            var builder = new StepVectorBuilder(ev.Steps);
            var warned = false;
            foreach (var (step, key, buckets, name) in BucketGroups(ev, input))
            {
                foreach (var q in quantiles)
                {
                    if (!warned && (double.IsNaN(q[step]) || q[step] < 0 || q[step] > 1))
                    {
                        ev.Context.Annotations.Warn($"quantile value should be between 0 and 1, got {Evaluator.FormatValue(q[step])}");
                        warned = true;
                    }
                    var (value, forced) = BucketQuantile(q[step], [.. buckets]);
                    if (forced)
                    {
                        ev.Context.Annotations.Info("input to histogram_quantile needed to be fixed for monotonicity " +
                            $"(see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"{name}\"");
                    }
                    builder.Add(step, key.With(label, QuantileLabel(q[step])), value, dropName: true);
                }
            }
            if (!warned && quantiles.Any(q => q.Any(x => double.IsNaN(x) || x < 0 || x > 1)))
            {
                ev.Context.Annotations.Warn($"quantile value should be between 0 and 1, got {Evaluator.FormatValue(quantiles.SelectMany(q => q).First(x => double.IsNaN(x) || x < 0 || x > 1))}");
            }
            return builder.Build();
        };
    }

    /// <summary>A quantile as a label value: shortest form, with ".0" on whole numbers (<c>0.0</c>, <c>0.25</c>, <c>1.0</c>).</summary>
    private static string QuantileLabel(double q)
    {
        var text = Evaluator.FormatValue(q);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains("Inf", StringComparison.Ordinal) || text == "NaN" ? text : text + ".0";
    }

    private static StepVector MapHistograms(Evaluator ev, Call c, Func<NativeHistogram, double> f)
    {
        var input = ev.EvalVector(c.Arguments[0]);
        var builder = new StepVectorBuilder(ev.Steps);
        foreach (var s in input.Series)
        {
            for (var i = 0; i < ev.Steps; i++)
            {
                if (s.HistogramAt(i) is { } h)
                {
                    builder.Add(i, s.Labels, f(h), dropName: true);
                }
            }
        }
        return builder.Build();
    }

    /// <summary>The variance estimated from bucket midpoints around the mean given by sum and count.</summary>
    private static double Variance(NativeHistogram h)
    {
        var mean = h.Sum / h.Count;
        double variance = 0, c = 0;
        for (var i = 0; i < h.Counts.Count; i++)
        {
            if (h.Counts[i] == 0)
            {
                continue;
            }
            var lower = i == 0 ? double.NegativeInfinity : h.Bounds[i - 1];
            var upper = i < h.Bounds.Count ? h.Bounds[i] : double.PositiveInfinity;
            var delta = (lower + upper) / 2 - mean;
            Kahan.Add(h.Counts[i] * delta * delta, ref variance, ref c);
        }
        return (variance + c) / h.Count;
    }

    /// <summary>Groups classic bucket series (by all labels but <c>le</c>) at each step and computes one value per group.</summary>
    private static StepVector ClassicBuckets(Evaluator ev, Call call, Expr arg, Func<List<(double Upper, double Count)>, int, string, double> compute)
    {
        var builder = new StepVectorBuilder(ev.Steps);
        foreach (var (step, key, buckets, name) in BucketGroups(ev, arg))
        {
            builder.Add(step, key, compute(buckets, step, name), dropName: true);
        }
        return builder.Build();
    }

    /// <summary>
    /// Every histogram at every step, as cumulative buckets: classic bucket series grouped by all labels but
    /// <c>le</c>, and native histograms with custom buckets one by one. Each series' group is found once; a group's
    /// bucket list is reused from step to step, so a caller must be done with it before taking the next.
    /// </summary>
    private static IEnumerable<(int Step, Labels Key, List<(double Upper, double Count)> Buckets, string Name)> BucketGroups(Evaluator ev, Expr arg)
    {
        var input = ev.EvalVector(arg);
        var bounds = new double[input.Series.Count];
        var groupOf = new int[input.Series.Count];
        var keys = new List<Labels>();
        var indexOf = new Dictionary<Labels, int>();
        var le = new HashSet<string>(StringComparer.Ordinal) { "le" };
        for (var j = 0; j < input.Series.Count; j++)
        {
            var labels = input.Series[j].Labels;
            var key = labels.Without(le);
            if (!indexOf.TryGetValue(key, out var g))
            {
                g = keys.Count;
                indexOf.Add(key, g);
                keys.Add(key);
            }
            groupOf[j] = g;
            var text = labels.Get("le");
            if (!TryParseBound(text, out bounds[j]) && input.Series[j].Present.Any(p => p))
            {
                bounds[j] = double.NaN;
                ev.Context.Annotations.Warn($"bucket label \"le\" is missing or has a malformed value of \"{text}\" for metric name \"{labels.Name}\"");
            }
        }
        var groups = new List<(double, double)>[keys.Count];
        var seenAt = new int[keys.Count];
        Array.Fill(seenAt, -1);
        var order = new List<int>(keys.Count);
        for (var i = 0; i < ev.Steps; i++)
        {
            order.Clear();
            for (var j = 0; j < input.Series.Count; j++)
            {
                var s = input.Series[j];
                if (!s.Present[i] || double.IsNaN(bounds[j]))
                {
                    continue;
                }
                var g = groupOf[j];
                if (seenAt[g] != i)
                {
                    seenAt[g] = i;
                    (groups[g] ??= []).Clear();
                    order.Add(g);
                }
                groups[g].Add((bounds[j], s.Values[i]));
            }
            foreach (var g in order)
            {
                yield return (i, keys[g], groups[g], keys[g].Name);
            }
            foreach (var s in input.Series)
            {
                if (s.HistogramAt(i) is { } h)
                {
                    yield return (i, s.Labels, h.Cumulative(), s.Labels.Name);
                }
            }
        }
    }

    private static bool TryParseBound(string text, out double value)
    {
        value = double.NaN;
        if (text.Length == 0)
        {
            return false;
        }
        var lower = text.ToLowerInvariant();
        switch (lower)
        {
            case "+inf" or "inf":
                value = double.PositiveInfinity;
                return true;
            case "-inf":
                value = double.NegativeInfinity;
                return true;
            case "nan":
                value = double.NaN;
                return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static (double Value, bool ForcedMonotonic) BucketQuantile(double q, List<(double Upper, double Count)> input)
    {
        if (double.IsNaN(q))
        {
            return (double.NaN, false);
        }
        if (q < 0)
        {
            return (double.NegativeInfinity, false);
        }
        if (q > 1)
        {
            return (double.PositiveInfinity, false);
        }
        var buckets = Coalesce(input);
        if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Upper))
        {
            return (double.NaN, false);
        }
        var forced = EnsureMonotonic(buckets);
        if (buckets.Count < 2)
        {
            return (double.NaN, forced);
        }
        var observations = buckets[^1].Count;
        if (observations == 0)
        {
            return (double.NaN, forced);
        }
        var rank = q * observations;
        var b = 0;
        while (b < buckets.Count - 1 && buckets[b].Count < rank)
        {
            b++;
        }
        if (b == buckets.Count - 1)
        {
            return (buckets[^2].Upper, forced);
        }
        if (b == 0 && buckets[0].Upper <= 0)
        {
            return (buckets[0].Upper, forced);
        }
        double start = 0;
        var end = buckets[b].Upper;
        var count = buckets[b].Count;
        if (b > 0)
        {
            start = buckets[b - 1].Upper;
            count -= buckets[b - 1].Count;
            rank -= buckets[b - 1].Count;
        }
        return (start + (end - start) * (rank / count), forced);
    }

    /// <summary>Sorts by upper bound (stably) and merges buckets with the same bound, in place.</summary>
    private static List<(double Upper, double Count)> Coalesce(List<(double Upper, double Count)> buckets)
    {
        // Insertion sort: a histogram has a handful of buckets, usually in order already, and no allocation.
        for (var i = 1; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var k = i - 1;
            while (k >= 0 && buckets[k].Upper.CompareTo(bucket.Upper) > 0)
            {
                buckets[k + 1] = buckets[k];
                k--;
            }
            buckets[k + 1] = bucket;
        }
        var kept = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            if (kept > 0 && buckets[kept - 1].Upper == bucket.Upper)
            {
                buckets[kept - 1] = (bucket.Upper, buckets[kept - 1].Count + bucket.Count);
            }
            else
            {
                buckets[kept++] = bucket;
            }
        }
        buckets.RemoveRange(kept, buckets.Count - kept);
        return buckets;
    }

    /// <summary>Raises counts that fall below an earlier bucket's (and absorbs float noise); true when a real fix was needed.</summary>
    private static bool EnsureMonotonic(List<(double Upper, double Count)> buckets)
    {
        var forced = false;
        var previous = buckets[0].Count;
        for (var i = 1; i < buckets.Count; i++)
        {
            var current = buckets[i].Count;
            if (current == previous)
            {
                continue;
            }
            if (AlmostEqual(previous, current, SmallDeltaTolerance))
            {
                buckets[i] = (buckets[i].Upper, previous);
                continue;
            }
            if (current < previous)
            {
                buckets[i] = (buckets[i].Upper, previous);
                forced = true;
                continue;
            }
            previous = current;
        }
        return forced;
    }

    private static bool AlmostEqual(double a, double b, double epsilon)
    {
        const double MinNormal = 2.2250738585072014e-308;
        if (a == b)
        {
            return true;
        }
        var absSum = Math.Abs(a) + Math.Abs(b);
        var diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < MinNormal)
        {
            return diff < epsilon * MinNormal;
        }
        return diff / Math.Min(absSum, double.MaxValue) < epsilon;
    }

    /// <summary>
    /// The estimated fraction of observations between two bounds: buckets inside count fully, buckets cut by a
    /// bound count in proportion to the overlap, and a cut bucket of infinite width counts nothing.
    /// </summary>
    private static double BucketFraction(double lower, double upper, List<(double Upper, double Count)> input)
    {
        var buckets = Coalesce(input);
        if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Upper) || double.IsNaN(lower) || double.IsNaN(upper))
        {
            return double.NaN;
        }
        EnsureMonotonic(buckets);
        var total = buckets[^1].Count;
        if (total == 0)
        {
            return double.NaN;
        }
        double inside = 0, previousCount = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            var hi = buckets[i].Upper;
            var lo = i > 0 ? buckets[i - 1].Upper : (hi > 0 ? 0 : double.NegativeInfinity);
            var count = buckets[i].Count - previousCount;
            previousCount = buckets[i].Count;
            var from = Math.Max(lo, lower);
            var to = Math.Min(hi, upper);
            if (count == 0 || to <= from && !(lower <= lo && hi <= upper))
            {
                continue;
            }
            // An infinitely wide bucket cannot be interpolated: it counts whole when the asked range reaches the
            // same infinity (histogram_fraction(400, +Inf, …) takes all of the +Inf bucket), and not at all otherwise.
            if ((lower <= lo && hi <= upper)
                || (double.IsPositiveInfinity(hi) && double.IsPositiveInfinity(upper))
                || (double.IsNegativeInfinity(lo) && double.IsNegativeInfinity(lower)))
            {
                inside += count;
            }
            else if (!double.IsInfinity(lo) && !double.IsInfinity(hi))
            {
                inside += count * (to - from) / (hi - lo);
            }
        }
        return inside / total;
    }
}
