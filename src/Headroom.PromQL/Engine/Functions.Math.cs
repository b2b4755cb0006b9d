using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

internal static partial class Functions
{
    private static void AddMath(Dictionary<string, FunctionImplementation> t)
    {
        void Map(string name, Func<double, double> f) => t[name] = (ev, c) => ev.MapValues(ev.EvalVector(c.Arguments[0]), f);
        Map("abs", Math.Abs);
        Map("ceil", Math.Ceiling);
        Map("floor", Math.Floor);
        Map("exp", Math.Exp);
        Map("sqrt", Math.Sqrt);
        Map("ln", Math.Log);
        Map("log2", Math.Log2);
        Map("log10", Math.Log10);
        Map("sgn", v => double.IsNaN(v) ? v : Math.Sign(v));
        Map("sin", Math.Sin);
        Map("cos", Math.Cos);
        Map("tan", Math.Tan);
        Map("asin", Math.Asin);
        Map("acos", Math.Acos);
        Map("atan", Math.Atan);
        Map("sinh", Math.Sinh);
        Map("cosh", Math.Cosh);
        Map("tanh", Math.Tanh);
        Map("asinh", Math.Asinh);
        Map("acosh", Math.Acosh);
        Map("atanh", Math.Atanh);
        Map("deg", v => v * 180 / Math.PI);
        Map("rad", v => v * Math.PI / 180);

        t["round"] = (ev, c) =>
        {
            var input = ev.EvalVector(c.Arguments[0]);
            var nearest = c.Arguments.Count > 1 ? ev.EvalScalar(c.Arguments[1]) : ev.Fill(1).Values;
            // Rounds half up, as Prometheus does: floor(v / to + 0.5) * to, computed with the inverse for exactness.
            return ev.MapValues(input, (v, i) =>
            {
                var inverse = 1 / nearest[i];
                return Math.Floor(v * inverse + 0.5) / inverse;
            });
        };
        t["clamp"] = (ev, c) =>
        {
            var input = ev.EvalVector(c.Arguments[0]);
            var min = ev.EvalScalar(c.Arguments[1]);
            var max = ev.EvalScalar(c.Arguments[2]);
            var mapped = ev.MapValues(input, (v, i) => Math.Max(min[i], Math.Min(max[i], v)));
            foreach (var s in mapped.Series)
            {
                for (var i = 0; i < ev.Steps; i++)
                {
                    s.Present[i] &= !(max[i] < min[i]);
                }
            }
            return mapped;
        };
        t["clamp_min"] = (ev, c) =>
        {
            var input = ev.EvalVector(c.Arguments[0]);
            var min = ev.EvalScalar(c.Arguments[1]);
            return ev.MapValues(input, (v, i) => Math.Max(min[i], v));
        };
        t["clamp_max"] = (ev, c) =>
        {
            var input = ev.EvalVector(c.Arguments[0]);
            var max = ev.EvalScalar(c.Arguments[1]);
            return ev.MapValues(input, (v, i) => Math.Min(max[i], v));
        };
        t["timestamp"] = Timestamp;
        t["scalar"] = (ev, c) =>
        {
            var input = ev.EvalVector(c.Arguments[0]);
            var values = new double[ev.Steps];
            for (var i = 0; i < ev.Steps; i++)
            {
                var count = 0;
                var value = double.NaN;
                foreach (var s in input.Series)
                {
                    if (s.Present[i])
                    {
                        count++;
                        value = s.Values[i];
                    }
                }
                values[i] = count == 1 ? value : double.NaN;
            }
            return new ScalarSteps(values);
        };
        t["vector"] = (ev, c) =>
        {
            var values = ev.EvalScalar(c.Arguments[0]);
            var series = new StepSeries(Labels.Empty, ev.Steps, dropName: false);
            Array.Copy(values, series.Values, ev.Steps);
            Array.Fill(series.Present, true);
            return new StepVector([series]);
        };
        t["time"] = (ev, _) => new ScalarSteps([.. Enumerable.Range(0, ev.Steps).Select(i => ev.Ts(i) / 1000.0)]);
        t["pi"] = (ev, _) => ev.Fill(Math.PI);
        t["min_of"] = (ev, c) => Pairwise(ev, c, Math.Min);
        t["max_of"] = (ev, c) => Pairwise(ev, c, Math.Max);
        t["start"] = (ev, _) => ev.Fill(ev.Start / 1000.0);
        t["end"] = (ev, _) => ev.Fill(ev.End / 1000.0);
        t["step"] = (ev, _) => ev.Fill(ev.Context.IsRangeQuery ? ev.Interval / 1000.0 : 0);
        t["range"] = (ev, _) => ev.Fill((ev.End - ev.Start) / 1000.0);
        t["absent"] = Absent;
        t["sort"] = (ev, c) => Sort(ev, c, descending: false);
        t["sort_desc"] = (ev, c) => Sort(ev, c, descending: true);
        t["info"] = NotImplemented;
        t["start_timestamp"] = NotImplemented;
    }

    private static ScalarSteps Pairwise(Evaluator ev, Call c, Func<double, double, double> f)
    {
        var a = ev.EvalScalar(c.Arguments[0]);
        var b = ev.EvalScalar(c.Arguments[1]);
        return new ScalarSteps([.. a.Select((v, i) => f(v, b[i]))]);
    }

    private static StepVector Timestamp(Evaluator ev, Call c)
    {
        var arg = c.Arguments[0];
        while (arg is ParenExpr p)
        {
            arg = p.Inner;
        }
        if (arg is VectorSelector vs)
        {
            var selected = ev.EvalSelector(vs, keepSampleTimes: true);
            foreach (var s in selected.Series)
            {
                for (var i = 0; i < ev.Steps; i++)
                {
                    s.Values[i] = s.SampleTimes![i] / 1000.0;
                }
                s.DropName = true;
            }
            return selected;
        }
        return ev.MapValues(ev.EvalVector(arg), (_, i) => ev.Ts(i) / 1000.0);
    }

    /// <summary>The labels <c>absent</c> gives its result: the equality matchers of a plain selector.</summary>
    internal static Labels AbsentLabels(Expr arg)
    {
        while (arg is ParenExpr p)
        {
            arg = p.Inner;
        }
        var selector = arg switch
        {
            VectorSelector vs => vs,
            MatrixSelector ms => ms.Selector,
            _ => null,
        };
        if (selector is null)
        {
            return Labels.Empty;
        }
        var labels = new List<Label>();
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in selector.Matchers)
        {
            if (m.Name == Labels.MetricName)
            {
                continue;
            }
            if (selector.Matchers.Count(x => x.Name == m.Name) > 1)
            {
                repeated.Add(m.Name);
                continue;
            }
            if (m.Type == LabelMatchType.Equal)
            {
                labels.Add(new Label(m.Name, m.Value));
            }
        }
        return Labels.From(labels.Where(l => !repeated.Contains(l.Name)));
    }

    private static StepVector Absent(Evaluator ev, Call c)
    {
        var input = ev.EvalVector(c.Arguments[0]);
        var output = new StepSeries(AbsentLabels(c.Arguments[0]), ev.Steps, dropName: false);
        for (var i = 0; i < ev.Steps; i++)
        {
            if (!input.Series.Any(s => s.Present[i]))
            {
                output.Values[i] = 1;
                output.Present[i] = true;
            }
        }
        return new StepVector(output.Present.Any(p => p) ? [output] : []);
    }

    private static StepVector Sort(Evaluator ev, Call c, bool descending)
    {
        var input = ev.EvalVector(c.Arguments[0]);
        if (ev.Context.IsRangeQuery)
        {
            ev.Context.Annotations.Warn("sort is ineffective for range queries since results are always ordered by labels");
            return input;
        }
        // Instant queries have one step; NaN goes last in both directions.
        var ordered = input.Series.Where(s => s.Present[0])
            .OrderBy(s => double.IsNaN(s.Values[0]) ? 1 : 0)
            .ThenBy(s => descending ? -s.Values[0] : s.Values[0])
            .ToList();
        return new StepVector(ordered);
    }
}
