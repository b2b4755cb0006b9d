using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

internal sealed partial class Evaluator
{
    private EvalValue EvalAggregate(AggregateExpr a)
    {
        double[]? parameter = null;
        string? label = null;
        if (a.Parameter is not null)
        {
            switch (Eval(a.Parameter))
            {
                case ScalarSteps s:
                    parameter = s.Values;
                    break;
                case StringValue s:
                    label = s.Value;
                    break;
            }
        }
        var input = EvalVector(a.Inner);
        var grouping = a.Grouping.ToHashSet(StringComparer.Ordinal);
        if (a.Without)
        {
            grouping.Add(Labels.MetricName);
        }
        var groupKeys = input.Series.Select(s => a.Without ? s.Labels.Without(grouping) : s.Labels.Keep(grouping)).ToArray();
        if (a.Operator == AggregationOperator.CountValues)
        {
            if (!IsValidLabelName(label!))
            {
                throw new QueryException($"invalid label name \"{label}\"");
            }
        }
        if (parameter is not null && a.Operator is AggregationOperator.Topk or AggregationOperator.Bottomk or AggregationOperator.Limitk)
        {
            foreach (var k in parameter)
            {
                KParameter(k);
            }
        }
        if (parameter is not null && a.Operator == AggregationOperator.LimitRatio && parameter.Any(double.IsNaN))
        {
            throw new QueryException("Ratio value is NaN");
        }
        // Each series' group is found once per query: at every step only the members present are gathered, into
        // lists reused from step to step.
        var groupOf = new int[input.Series.Count];
        var keys = new List<Labels>();
        var indexOf = new Dictionary<Labels, int>();
        for (var j = 0; j < groupKeys.Length; j++)
        {
            if (!indexOf.TryGetValue(groupKeys[j], out var g))
            {
                g = keys.Count;
                indexOf.Add(groupKeys[j], g);
                keys.Add(groupKeys[j]);
            }
            groupOf[j] = g;
        }
        var members = new List<int>[keys.Count];
        var seenAt = new int[keys.Count];
        Array.Fill(seenAt, -1);
        var order = new List<int>(keys.Count);
        var scratch = new AggregationScratch(input.Series.Count);
        var builder = new StepVectorBuilder(Steps);
        for (var i = 0; i < Steps; i++)
        {
            _ctx.Check();
            order.Clear();
            for (var j = 0; j < input.Series.Count; j++)
            {
                if (!input.Series[j].Present[i] && input.Series[j].HistogramAt(i) is null)
                {
                    continue;
                }
                var g = groupOf[j];
                if (seenAt[g] != i)
                {
                    seenAt[g] = i;
                    (members[g] ??= []).Clear();
                    order.Add(g);
                }
                members[g].Add(j);
            }
            foreach (var g in order)
            {
                AggregateGroup(a, i, keys[g], members[g], input, parameter, label, builder, scratch);
            }
        }
        return builder.Build();
    }

    /// <summary>Buffers one aggregation reuses for every group at every step.</summary>
    private sealed class AggregationScratch(int size)
    {
        public double[] Values { get; } = new double[size];

        public double[] SortKeys { get; } = new double[size];

        public int[] Indexes { get; } = new int[size];
    }

    private void AggregateGroup(AggregateExpr a, int step, Labels key, List<int> members, StepVector input,
        double[]? parameter, string? label, StepVectorBuilder builder, AggregationScratch scratch)
    {
        var series = input.Series;
        var dropName = false;
        if (key.Has(Labels.MetricName))
        {
            foreach (var m in members)
            {
                dropName |= series[m].DropName;
            }
        }
        var floats = 0;
        foreach (var m in members)
        {
            floats += series[m].Present[step] ? 1 : 0;
        }
        if (floats < members.Count)
        {
            if (AggregateHistograms(a, step, key, members, input, builder, dropName, floats))
            {
                return;
            }
            members = FloatMembers(members, input, step);
            if (members.Count == 0)
            {
                return;
            }
        }
        var values = scratch.Values.AsSpan(0, members.Count);
        for (var k = 0; k < members.Count; k++)
        {
            values[k] = series[members[k]].Values[step];
        }
        switch (a.Operator)
        {
            case AggregationOperator.Sum:
            {
                double sum = 0, c = 0;
                foreach (var v in values)
                {
                    Kahan.Add(v, ref sum, ref c);
                }
                builder.Add(step, key, double.IsInfinity(sum) ? sum : sum + c, dropName);
                break;
            }
            case AggregationOperator.Avg:
                builder.Add(step, key, Average(values), dropName);
                break;
            case AggregationOperator.Count:
                builder.Add(step, key, members.Count, dropName);
                break;
            case AggregationOperator.Group:
                builder.Add(step, key, 1, dropName);
                break;
            case AggregationOperator.Min:
            case AggregationOperator.Max:
            {
                var best = values[0];
                foreach (var v in values)
                {
                    if (double.IsNaN(best) || (a.Operator == AggregationOperator.Max ? v > best : v < best))
                    {
                        best = v;
                    }
                }
                builder.Add(step, key, best, dropName);
                break;
            }
            case AggregationOperator.Stddev:
            case AggregationOperator.Stdvar:
            {
                double count = 0, mean = 0, aux = 0;
                foreach (var v in values)
                {
                    count++;
                    var delta = v - mean;
                    mean += delta / count;
                    aux += delta * (v - mean);
                }
                var variance = aux / count;
                builder.Add(step, key, a.Operator == AggregationOperator.Stddev ? Math.Sqrt(variance) : variance, dropName);
                break;
            }
            case AggregationOperator.Quantile:
            {
                var q = parameter![step];
                WarnQuantile(q);
                builder.Add(step, key, Quantile(q, values), dropName);
                break;
            }
            case AggregationOperator.CountValues:
                CountValues(step, key, values, label!, builder);
                break;
            case AggregationOperator.Topk:
            case AggregationOperator.Bottomk:
            case AggregationOperator.Limitk:
            {
                var k = KParameter(parameter![step]);
                if (k < 1)
                {
                    break;
                }
                var chosen = scratch.Indexes.AsSpan(0, members.Count);
                for (var n = 0; n < members.Count; n++)
                {
                    chosen[n] = n;
                }
                if (a.Operator != AggregationOperator.Limitk)
                {
                    var top = a.Operator == AggregationOperator.Topk;
                    var sortKeys = scratch.SortKeys.AsSpan(0, members.Count);
                    for (var n = 0; n < values.Length; n++)
                    {
                        sortKeys[n] = top ? -values[n] : values[n];
                    }
                    chosen.Sort(new RankOrder(scratch.SortKeys));
                }
                foreach (var n in chosen[..(int)Math.Min(k, chosen.Length)])
                {
                    var s = series[members[n]];
                    builder.Add(step, s.Labels, s.Values[step], s.DropName);
                }
                break;
            }
            case AggregationOperator.LimitRatio:
            {
                var ratio = parameter![step];
                if (double.IsNaN(ratio))
                {
                    throw new QueryException("Ratio value is NaN");
                }
                if (ratio is < -1 or > 1)
                {
                    _ctx.Annotations.Warn($"ratio value should be between -1 and 1, got {FormatValue(ratio)}, capping to {(ratio < 0 ? -1 : 1)}");
                    ratio = Math.Clamp(ratio, -1, 1);
                }
                foreach (var m in members)
                {
                    var s = series[m];
                    var sampleRatio = s.Labels.Hash / (double)ulong.MaxValue;
                    if (ratio >= 0 ? sampleRatio < ratio : sampleRatio >= 1 + ratio)
                    {
                        builder.Add(step, s.Labels, s.Values[step], s.DropName);
                    }
                }
                break;
            }
            default:
                throw new QueryException($"unsupported aggregation {a.Operator.Keyword()}");
        }
    }

    /// <summary>
    /// The order <c>topk</c> and <c>bottomk</c> rank members in (indexes into the group's members, by key): NaN after
    /// every number, as Prometheus puts it below them, and ties in the members' order.
    /// </summary>
    private readonly struct RankOrder(double[] keys) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var nanX = double.IsNaN(keys[x]);
            var nanY = double.IsNaN(keys[y]);
            if (nanX != nanY)
            {
                return nanX ? 1 : -1;
            }
            var byKey = keys[x].CompareTo(keys[y]);
            return byKey != 0 ? byKey : x.CompareTo(y);
        }
    }

    /// <summary>
    /// A group with native histograms among its members: <c>count</c> and <c>group</c> count them, <c>sum</c> and
    /// <c>avg</c> add them (nothing when floats are mixed in or bounds differ). False when the other operators are to
    /// go on with the float members alone.
    /// </summary>
    private bool AggregateHistograms(AggregateExpr a, int step, Labels key, List<int> members, StepVector input,
        StepVectorBuilder builder, bool dropName, int floats)
    {
        if (a.Operator is AggregationOperator.Count or AggregationOperator.Group)
        {
            builder.Add(step, key, a.Operator == AggregationOperator.Count ? members.Count : 1, dropName);
            return true;
        }
        if (a.Operator is not (AggregationOperator.Sum or AggregationOperator.Avg))
        {
            return false;
        }
        if (floats > 0)
        {
            _ctx.Annotations.Warn($"encountered a mix of histograms and floats for aggregation");
            return true;
        }
        var total = input.Series[members[0]].HistogramAt(step)!;
        foreach (var m in members.Skip(1))
        {
            var h = input.Series[m].HistogramAt(step)!;
            if (!h.SameBounds(total))
            {
                return true;
            }
            total = total.Add(h);
        }
        builder.AddHistogram(step, key, a.Operator == AggregationOperator.Avg ? total.Scale(1.0 / members.Count) : total, dropName);
        return true;
    }

    private static List<int> FloatMembers(List<int> members, StepVector input, int step) =>
        members.Where(m => input.Series[m].Present[step]).ToList();

    private static void CountValues(int step, Labels key, ReadOnlySpan<double> values, string label, StepVectorBuilder builder)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var valueOrder = new List<string>();
        foreach (var v in values)
        {
            var text = FormatValue(v);
            if (!counts.TryAdd(text, 1))
            {
                counts[text]++;
            }
            else
            {
                valueOrder.Add(text);
            }
        }
        foreach (var text in valueOrder)
        {
            builder.Add(step, key.With(label, text), counts[text], dropName: false);
        }
    }

    private static long KParameter(double k)
    {
        if (double.IsNaN(k))
        {
            throw new QueryException("Parameter value is NaN");
        }
        if (k >= 9.2233720368547758E18 || k <= -9.2233720368547758E18)
        {
            throw new QueryException($"Scalar value {FormatValue(k)} overflows int64");
        }
        return (long)k;
    }

    /// <summary>The mean, by compensated summation, switching to an incremental mean when the sum overflows.</summary>
    internal static double Average(ReadOnlySpan<double> values)
    {
        double sum = 0, c = 0, mean = 0, count = 0;
        var incremental = false;
        foreach (var v in values)
        {
            count++;
            if (count == 1)
            {
                sum = v;
                continue;
            }
            if (!incremental)
            {
                double newSum = sum, newC = c;
                Kahan.Add(v, ref newSum, ref newC);
                if (!double.IsInfinity(newSum))
                {
                    sum = newSum;
                    c = newC;
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1);
                c /= count - 1;
            }
            var q = (count - 1) / count;
            var m = q * mean;
            var mc = q * c;
            Kahan.Add(v / count, ref m, ref mc);
            mean = m;
            c = mc;
        }
        return incremental ? mean + c : sum / count + c / count;
    }

    /// <summary>The φ-quantile by linear interpolation between closest ranks, as Prometheus computes it.</summary>
    internal static double Quantile(double q, Span<double> values)
    {
        if (values.Length == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }
        if (q < 0)
        {
            return double.NegativeInfinity;
        }
        if (q > 1)
        {
            return double.PositiveInfinity;
        }
        values.Sort();
        var n = values.Length;
        var rank = q * (n - 1);
        var lower = Math.Max(0, (int)Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return values[lower] * (1 - weight) + values[upper] * weight;
    }

    private void WarnQuantile(double q)
    {
        if (double.IsNaN(q) || q < 0 || q > 1)
        {
            _ctx.Annotations.Warn($"quantile value should be between 0 and 1, got {FormatValue(q)}");
        }
    }

    /// <summary>A label name is any non-empty valid UTF-8; the parser keeps invalid bytes as lone surrogates.</summary>
    internal static bool IsValidLabelName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A float as Go's <c>strconv.FormatFloat(f, 'f', -1, 64)</c> writes it: shortest digits, no exponent.</summary>
    internal static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }
        var text = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (!text.Contains('E', StringComparison.Ordinal))
        {
            return text;
        }
        // Expand the exponent by hand: shift the decimal point of the shortest round-trip digits.
        var negative = text[0] == '-';
        var body = negative ? text[1..] : text;
        var e = body.IndexOf('E', StringComparison.Ordinal);
        var exponent = int.Parse(body[(e + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var mantissa = body[..e];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        string result;
        if (point <= 0)
        {
            result = "0." + new string('0', -point) + digits;
        }
        else if (point >= digits.Length)
        {
            result = digits + new string('0', point - digits.Length);
        }
        else
        {
            result = digits[..point] + "." + digits[point..];
        }
        return negative ? "-" + result : result;
    }
}
