namespace Headroom.PromQL.Engine;

/// <summary>Turns the evaluator's value into the public result shape, removing metric names marked for removal.</summary>
internal static class ResultBuilder
{
    public static QueryValue Build(EvalValue value, Evaluator ev, bool isRange)
    {
        switch (value)
        {
            case StringValue s:
                return new StringResult(ev.Start, s.Value);
            case ScalarSteps sc when !isRange:
                return new ScalarResult(ev.Start, sc.Values[0]);
            case ScalarSteps sc:
                return new MatrixResult([new Series(Labels.Empty, [.. sc.Values.Select((f, i) => new FloatPoint(ev.Ts(i), f))])]);
            case StepVector v when !isRange:
            {
                var samples = new List<Sample>(v.Series.Count);
                var seen = new HashSet<Labels>();
                foreach (var s in v.Series)
                {
                    if (!s.Present[0])
                    {
                        continue;
                    }
                    var labels = s.DropName ? s.Labels.WithoutName() : s.Labels;
                    if (!seen.Add(labels))
                    {
                        throw new QueryException("vector cannot contain metrics with the same labelset");
                    }
                    samples.Add(new Sample(labels, ev.Start, s.Values[0]));
                }
                return new VectorResult(samples);
            }
            case StepVector v:
            {
                var merged = new Dictionary<Labels, SortedDictionary<long, double>>();
                foreach (var s in v.Series)
                {
                    var labels = s.DropName ? s.Labels.WithoutName() : s.Labels;
                    if (!merged.TryGetValue(labels, out var points))
                    {
                        points = [];
                        merged.Add(labels, points);
                    }
                    for (var i = 0; i < ev.Steps; i++)
                    {
                        if (s.Present[i] && !points.TryAdd(ev.Ts(i), s.Values[i]))
                        {
                            throw new QueryException("vector cannot contain metrics with the same labelset");
                        }
                    }
                }
                var series = merged.Where(p => p.Value.Count > 0)
                    .Select(p => new Series(p.Key, [.. p.Value.Select(kv => new FloatPoint(kv.Key, kv.Value))]))
                    .ToList();
                series.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
                return new MatrixResult(series);
            }
            case RangeVector r:
            {
                var series = new List<Series>();
                foreach (var s in r.Series)
                {
                    var window = s.Window(r.WindowEnds[0], r.Range);
                    if (window.Length > 0)
                    {
                        series.Add(new Series(s.DropName ? s.Labels.WithoutName() : s.Labels, window.ToArray()));
                    }
                }
                return new MatrixResult(series);
            }
            default:
                throw new QueryException("unexpected result type");
        }
    }
}
