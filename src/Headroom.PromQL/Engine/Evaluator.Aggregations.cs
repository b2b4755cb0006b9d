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
        var builder = new StepVectorBuilder(Steps);
        var groups = new Dictionary<Labels, List<int>>();
        var order = new List<Labels>();
        for (var i = 0; i < Steps; i++)
        {
            _ctx.Check();
            groups.Clear();
            order.Clear();
            for (var j = 0; j < input.Series.Count; j++)
            {
                if (!input.Series[j].Present[i] && input.Series[j].HistogramAt(i) is null)
                {
                    continue;
                }
                if (!groups.TryGetValue(groupKeys[j], out var members))
                {
                    members = [];
                    groups.Add(groupKeys[j], members);
                    order.Add(groupKeys[j]);
                }
                members.Add(j);
            }
            foreach (var key in order)
            {
                AggregateGroup(a, i, key, groups[key], input, parameter, label, builder);
            }
        }
        return builder.Build();
    }

    private void AggregateGroup(AggregateExpr a, int step, Labels key, List<int> members, StepVector input,
        double[]? parameter, string? label, StepVectorBuilder builder)
    {
        double V(int member) => input.Series[member].Values[step];
        var dropName = key.Has(Labels.MetricName) && members.Any(m => input.Series[m].DropName);
        var histogramMembers = members.Where(m => !input.Series[m].Present[step]).ToList();
        if (histogramMembers.Count > 0)
        {
            if (a.Operator is AggregationOperator.Count or AggregationOperator.Group)
            {
                builder.Add(step, key, a.Operator == AggregationOperator.Count ? members.Count : 1, dropName);
                return;
            }
            if (a.Operator is AggregationOperator.Sum or AggregationOperator.Avg)
            {
                if (histogramMembers.Count != members.Count)
                {
                    _ctx.Annotations.Warn($"encountered a mix of histograms and floats for aggregation");
                    return;
                }
                var total = input.Series[members[0]].HistogramAt(step)!;
                foreach (var m in members.Skip(1))
                {
                    var h = input.Series[m].HistogramAt(step)!;
                    if (!h.SameBounds(total))
                    {
                        return;
                    }
                    total = total.Add(h);
                }
                builder.AddHistogram(step, key, a.Operator == AggregationOperator.Avg ? total.Scale(1.0 / members.Count) : total, dropName);
                return;
            }
            members = [.. members.Except(histogramMembers)];
            if (members.Count == 0)
            {
                return;
            }
        }
        switch (a.Operator)
        {
            case AggregationOperator.Sum:
            {
                double sum = 0, c = 0;
                foreach (var m in members)
                {
                    Kahan.Add(V(m), ref sum, ref c);
                }
                builder.Add(step, key, double.IsInfinity(sum) ? sum : sum + c, dropName);
                break;
            }
            case AggregationOperator.Avg:
                builder.Add(step, key, Average(members.Select(V)), dropName);
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
                var best = V(members[0]);
                foreach (var m in members)
                {
                    var v = V(m);
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
                foreach (var m in members)
                {
                    var v = V(m);
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
                builder.Add(step, key, Quantile(q, [.. members.Select(V)]), dropName);
                break;
            }
            case AggregationOperator.CountValues:
            {
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                var valueOrder = new List<string>();
                foreach (var m in members)
                {
                    var text = FormatValue(V(m));
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
                    builder.Add(step, key.With(label!, text), counts[text], dropName: false);
                }
                break;
            }
            case AggregationOperator.Topk:
            case AggregationOperator.Bottomk:
            case AggregationOperator.Limitk:
            {
                var k = KParameter(parameter![step]);
                if (k < 1)
                {
                    break;
                }
                IEnumerable<int> chosen = members;
                if (a.Operator != AggregationOperator.Limitk)
                {
                    var top = a.Operator == AggregationOperator.Topk;
                    // NaN sorts last either way, as Prometheus puts it below every number.
                    chosen = members.OrderBy(m => double.IsNaN(V(m)) ? 1 : 0)
                        .ThenBy(m => top ? -V(m) : V(m));
                }
                foreach (var m in chosen.Take((int)Math.Min(k, int.MaxValue)))
                {
                    var s = input.Series[m];
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
                    var s = input.Series[m];
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
    internal static double Average(IEnumerable<double> values)
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
    internal static double Quantile(double q, double[] values)
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
        Array.Sort(values);
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
